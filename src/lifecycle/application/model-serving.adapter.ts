import { Injectable } from '@nestjs/common';
import { ModelUnhealthyError } from '../../shared/domain/model-unhealthy.error.js';
import { ModelNotLoadedError } from '../domain/model-lifecycle.errors.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import type { InferenceInput, InferResult } from '../infrastructure/workers/worker-protocol.js';
import type { ModelServingPort } from './ports/model-serving.port.js';
import { LoadModelWorkflow } from './commands/load-model/load-model.workflow.js';
import { CrashLoopBreaker } from './crash-loop-breaker.js';
import { ManagedModels } from './managed-models.js';

/** The lifecycle context as the inference context sees it (MODEL_SERVING). */
@Injectable()
export class ModelServingAdapter implements ModelServingPort {
  constructor(
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly loads: LoadModelWorkflow,
    private readonly breaker: CrashLoopBreaker,
  ) {}

  async ensureLoaded(modelId: string): Promise<void> {
    if (this.state(modelId) === 'loaded' && this.workers.has(modelId)) return;
    this.breaker.assertAutomaticLoadAllowed(modelId); // a lazy load is automatic too
    await this.loads.load(modelId);
  }

  /** Nothing is routed to a model that is not `loaded`. */
  async infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult> {
    const state = this.state(modelId);
    if (state === 'unhealthy' || state === 'failed') throw new ModelUnhealthyError(modelId, state);
    if (state !== 'loaded' || !this.workers.has(modelId)) throw new ModelNotLoadedError(modelId);
    return this.workers.run(modelId, items, deadlineMs);
  }

  declaredInputs(modelId: string) {
    const model = this.models.get(modelId);
    return model?.state === 'loaded' ? (model.io?.inputs ?? undefined) : undefined;
  }

  state(modelId: string) {
    return this.models.state(modelId);
  }
}
