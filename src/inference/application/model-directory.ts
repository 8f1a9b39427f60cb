import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { MODEL_SERVING, type ModelServingPort } from '../../lifecycle/contracts.js';
import { GetModelQuery } from '../../registry/contracts.js';
import { KnownModels, type KnownModel, type ModelInfo } from './ports/known-models.port.js';

export type { ModelInfo };

/** The registry's models cached for every submission, forgotten when the catalog changes (ModelCatalogChangesHandler). */
@Injectable()
export class ModelDirectory implements KnownModels {
  private readonly cache = new Map<string, ModelInfo>();
  /** Bumped by every change, so a lookup that raced a change does not cache what it read. */
  private epoch = 0;

  constructor(
    private readonly queries: QueryBus,
    @Inject(MODEL_SERVING) private readonly serving: ModelServingPort,
  ) {}

  /** The model, or MODEL_NOT_FOUND. */
  async get(modelId: string): Promise<KnownModel> {
    const info = this.cache.get(modelId) ?? (await this.lookUp(modelId));
    const served = this.serving.describe(modelId);
    return { ...info, state: served.state, declared_inputs: served.state === 'loaded' ? (served.io?.inputs ?? undefined) : undefined };
  }

  private async lookUp(modelId: string): Promise<ModelInfo> {
    const epoch = this.epoch;
    const view = await this.queries.execute(new GetModelQuery(modelId));
    const info: ModelInfo = { model_id: view.model_id, task_type: view.task_type, config: view.config ?? {} };
    if (epoch === this.epoch) this.cache.set(modelId, info);
    return info;
  }

  forget(modelId: string): void {
    this.epoch++;
    this.cache.delete(modelId);
  }
}
