import type { InferenceInput, InferResult } from '../../infrastructure/workers/worker-protocol.js';

/** What a model takes and gives, as the worker protocol carries it. */
export type { EmbeddingOutput, InferenceInput, InferenceOutput, InferResult, ItemResult, TensorJson, TensorMap, ValueInfo } from '../../infrastructure/workers/worker-protocol.js';
export { BatchFailedError } from './batch-failed.error.js';

/**
 * What the inference context may ask of the lifecycle context: make a model ready, run a
 * batch on its worker, know its state. Everything else about workers stays inside lifecycle.
 */
export interface ModelServingPort {
  /**
   * Resolves once the model is loaded, loading it (LoadModel) if needed; concurrent
   * callers share one load. Rejects with a DomainError: MODEL_NOT_FOUND, LOAD_FAILED,
   * INVALID_CHECKSUM, INSUFFICIENT_MEMORY.
   */
  ensureLoaded(modelId: string): Promise<void>;
  /**
   * One batch on the model's worker (one IPC call). Rejects with MODEL_NOT_LOADED /
   * MODEL_UNHEALTHY (DomainError) when the model is not `loaded`, and with a
   * `BatchFailedError` when the worker dies mid-batch, misses the deadline or refuses the batch.
   */
  infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult>;
  /** The inputs (names, dims) of the model's running worker; undefined unless it is `loaded`. */
  declaredInputs(modelId: string): ReadonlyArray<{ name: string; dims: ReadonlyArray<number | string> }> | undefined;
  /** Current state; 'unloaded' for models never loaded here. */
  state(modelId: string): 'unloaded' | 'loading' | 'loaded' | 'unhealthy' | 'unloading' | 'failed';
}

export const MODEL_SERVING = Symbol('MODEL_SERVING');
