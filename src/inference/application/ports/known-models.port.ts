import type { ModelView } from '../../../registry/contracts.js';

/** What the queue needs to know about a registered model. */
export type ModelInfo = Pick<ModelView, 'model_id' | 'task_type' | 'config'>;

/** The registry's models as a submission reads them, cached (ModelDirectory). */
export abstract class KnownModels {
  /** The model, or MODEL_NOT_FOUND. */
  abstract get(modelId: string): Promise<ModelInfo>;
}
