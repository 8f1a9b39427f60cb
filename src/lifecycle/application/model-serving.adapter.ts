import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { assertServable } from '../domain/model-lifecycle.rules.js';
import { ModelNotLoadedError } from '../domain/model-lifecycle.errors.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import type { InferenceInput, InferResult } from '../infrastructure/workers/worker-protocol.js';
import type { ModelServingPort, ServedModel } from './ports/model-serving.port.js';
import { LoadModelCommand } from './commands/load-model/load-model.command.js';
import { ManagedModels } from './managed-models.js';

/** The lifecycle context as the inference context sees it (MODEL_SERVING). */
@Injectable()
export class ModelServingAdapter implements ModelServingPort {
  constructor(
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly commands: CommandBus,
  ) {}

  async ensureLoaded(modelId: string): Promise<ServedModel> {
    await this.commands.execute(new LoadModelCommand(modelId, undefined, 'lazy'));
    return this.describe(modelId);
  }

  describe(modelId: string): ServedModel {
    const m = this.models.get(modelId);
    return { state: m?.state ?? 'unloaded', version: m?.version ?? null, io: m?.io ?? null };
  }

  async infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult> {
    assertServable(modelId, this.state(modelId));
    if (!this.workers.has(modelId)) throw new ModelNotLoadedError(modelId);
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
