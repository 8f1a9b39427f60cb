import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetModelQuery, type ModelView } from '../../registry/contracts.js';

/** What the queue needs to know about a registered model. */
export type ModelInfo = Pick<ModelView, 'model_id' | 'task_type' | 'config'>;

/**
 * The registry's models as the inference context reads them on every submission: the
 * task type (input checks, default timeout) and config (batching overrides). Cached,
 * and forgotten when the catalog changes (see `ModelCatalogChangesHandler`), so a
 * submission costs no registry query in the steady state.
 */
@Injectable()
export class ModelDirectory {
  private readonly cache = new Map<string, ModelInfo>();
  /** Bumped by every change, so a lookup that raced a change does not cache what it read. */
  private epoch = 0;

  constructor(private readonly queries: QueryBus) {}

  /** The model, or MODEL_NOT_FOUND. */
  async get(modelId: string): Promise<ModelInfo> {
    const cached = this.cache.get(modelId);
    if (cached) return cached;
    const epoch = this.epoch;
    const view = await this.queries.execute(new GetModelQuery(modelId));
    const info: ModelInfo = { model_id: view.model_id, task_type: view.task_type, config: view.config ?? {} };
    if (epoch === this.epoch) this.cache.set(modelId, info);
    return info;
  }

  /** Cached info only (synchronous paths such as choosing a batch size). */
  peek(modelId: string): ModelInfo | undefined {
    return this.cache.get(modelId);
  }

  forget(modelId: string): void {
    this.epoch++;
    this.cache.delete(modelId);
  }
}
