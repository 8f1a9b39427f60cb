import type { ModelView } from '../../../registry/contracts.js';
import type { DeclaredInput } from '../../domain/job-inputs.js';

/** What the queue needs to know about a registered model. */
export type ModelInfo = Pick<ModelView, 'model_id' | 'task_type' | 'config'>;

/** A registered model as a submission sees it: the catalog's facts (cached) and serving's (read now). */
export interface KnownModel extends ModelInfo {
  state: string;
  declared_inputs: readonly DeclaredInput[] | undefined;
}

/** The registry's models as a submission reads them (ModelDirectory). */
export abstract class KnownModels {
  /** The model, or MODEL_NOT_FOUND. */
  abstract get(modelId: string): Promise<KnownModel>;
}
