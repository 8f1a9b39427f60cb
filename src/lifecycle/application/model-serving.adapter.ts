import { Injectable } from '@nestjs/common';
import { ModelNotLoadedError, ModelUnhealthyError } from '../domain/model-lifecycle.errors.js';
import type { InferenceInput, InferResult } from '../infrastructure/workers/worker-protocol.js';
import type { ModelServingPort } from './ports/model-serving.port.js';
import { CrashLoopBreaker } from './crash-loop-breaker.js';
import { ModelLifecycleService } from './model-lifecycle.service.js';

/** The lifecycle context as the inference context sees it (MODEL_SERVING). */
@Injectable()
export class ModelServingAdapter implements ModelServingPort {
  constructor(
    private readonly lifecycle: ModelLifecycleService,
    private readonly breaker: CrashLoopBreaker,
  ) {}

  async ensureLoaded(modelId: string): Promise<void> {
    if (this.state(modelId) === 'loaded' && this.lifecycle.pool.has(modelId)) return;
    this.breaker.assertAutomaticLoadAllowed(modelId); // a lazy load is automatic too
    await this.lifecycle.load(modelId);
  }

  /** Nothing is routed to a model that is not `loaded`. */
  async infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult> {
    const state = this.state(modelId);
    if (state === 'unhealthy' || state === 'failed') throw new ModelUnhealthyError(modelId, state);
    const entry = this.lifecycle.pool.get(modelId);
    if (state !== 'loaded' || !entry) throw new ModelNotLoadedError(modelId);
    entry.inflight += 1;
    entry.lastUsedMs = Date.now();
    try {
      return await entry.worker.infer(items, { deadlineMs });
    } finally {
      entry.inflight -= 1;
      entry.lastUsedMs = Date.now();
    }
  }

  state(modelId: string) {
    return this.lifecycle.model(modelId)?.state ?? 'unloaded';
  }
}
