import { readServingConfig } from '../../../shared/domain/serving-config.js';
import type { RuntimeOptions } from './worker-protocol.js';

/** ONNX Runtime intra-op threads when a registration gives no `cpu_threads` (capped at the cores): measured in docs/models.md, "cpu_threads". */
export const DEFAULT_CPU_THREADS = 2;

/** What a worker is told at load: the model's serving settings, its threads, the server's limits. */
export function runtimeOptionsFor(
  model: { config: Readonly<Record<string, unknown>> | null; resource_requirements: Readonly<Record<string, unknown>> },
  server: { maxOutputMb: number; maxBatchTokens: number },
): RuntimeOptions {
  const serving = readServingConfig(model.config);
  const threads = model.resource_requirements['cpu_threads'];
  return {
    intraOpNumThreads: threads === undefined || threads === null ? DEFAULT_CPU_THREADS : Number(threads),
    maxOutputBytes: server.maxOutputMb * 1024 * 1024,
    maxBatchTokens: serving.max_batch_tokens ?? server.maxBatchTokens,
    ...(serving.pooling !== undefined ? { pooling: serving.pooling } : {}),
    ...(serving.normalize !== undefined ? { normalize: serving.normalize } : {}),
    ...(serving.max_seq_length !== undefined ? { maxSequenceLength: serving.max_seq_length } : {}),
    ...(serving.onnx_file !== undefined ? { onnxFile: serving.onnx_file } : {}),
  };
}
