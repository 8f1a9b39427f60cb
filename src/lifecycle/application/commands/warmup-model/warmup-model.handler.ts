import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { ModelNotLoadedError } from '../../../domain/model-lifecycle.errors.js';
import type { IoInfo } from '../../../domain/model-lifecycle.events.js';
import type { InferenceInput, TensorType } from '../../../infrastructure/workers/worker-protocol.js';
import { ManagedModels } from '../../managed-models.js';
import { ModelServingAdapter } from '../../model-serving.adapter.js';
import { WarmupModelCommand } from './warmup-model.command.js';

@CommandHandler(WarmupModelCommand)
export class WarmupModelHandler implements ICommandHandler<WarmupModelCommand> {
  constructor(
    private readonly models: ManagedModels,
    private readonly runtime: ModelServingAdapter,
  ) {}

  async execute({ modelId }: WarmupModelCommand) {
    const m = this.models.get(modelId);
    if (!m?.io) throw new ModelNotLoadedError(modelId); // never loaded; otherwise the serving port says whether it serves now
    const started = performance.now();
    const [result] = (await this.runtime.infer(modelId, [warmupInput(m.task_type, m.io.inputs)], 60_000)).results;
    if (result && !result.ok) throw new DomainError('INFERENCE_FAILED', `warmup of ${modelId} failed: ${result.error.message}`);
    return { model_id: modelId, warmup_ms: Math.round((performance.now() - started) * 10) / 10 };
  }
}

/** Zeros shaped like each input, symbolic dims taken as 1; a short text for embedders. */
function warmupInput(taskType: string | null, inputs: IoInfo[]): InferenceInput {
  if (taskType === 'txt2embed') return ['warmup'];
  return Object.fromEntries(inputs.map((i) => {
    const dims = i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const type = (i.type.replace(/^tensor\(|\)$/g, '') || 'float32') as TensorType;
    const size = dims.reduce((a, b) => a * b, 1);
    return [i.name, { dims, type, data: new Array(size).fill(type === 'bool' ? false : 0) }];
  }));
}
