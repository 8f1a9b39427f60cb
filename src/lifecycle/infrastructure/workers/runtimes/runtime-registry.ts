import type { TaskRuntime } from './task-runtime.js';
import { RuntimeError } from './runtime-error.js';
import { TensorRuntime } from './tensor.runtime.js';
import { Txt2EmbedRuntime } from './txt2embed.runtime.js';

const RUNTIMES: Readonly<Record<string, () => TaskRuntime>> = {
  tensor: () => new TensorRuntime(),
  txt2embed: () => new Txt2EmbedRuntime(),
};

const SUPPORTED_TASK_TYPES: readonly string[] = Object.keys(RUNTIMES);

/** The ONNX runtime plugin for a task type, or LOAD_FAILED when it has none. */
export function createRuntime(taskType: string): TaskRuntime {
  const factory = Object.hasOwn(RUNTIMES, taskType) ? RUNTIMES[taskType] : undefined;
  if (!factory) {
    throw new RuntimeError(
      'LOAD_FAILED',
      `runtime onnx cannot serve task type ${taskType} (supported: ${SUPPORTED_TASK_TYPES.join(', ')})`,
    );
  }
  return factory();
}
