import type { IoInfo } from '../../domain/model-lifecycle.events.js';
import type { ModelState } from '../../domain/model-state.js';
import type { InferenceInput, InferResult } from '../../infrastructure/workers/worker-protocol.js';

/** What a model takes and gives, as the worker protocol carries it. */
export type { EmbeddingOutput, InferenceInput, InferenceOutput, InferResult, ItemResult, TensorJson, TensorMap, ValueInfo } from '../../infrastructure/workers/worker-protocol.js';
export type { ModelState } from '../../domain/model-state.js';
export { BatchFailedError } from './batch-failed.error.js';

/** A model's inputs and outputs as its worker reported them at its last load (ONNX type names, symbolic dims as strings). */
export interface ModelIo {
  inputs: IoInfo[];
  outputs: IoInfo[];
}

/** What the lifecycle has recorded of a model on this instance: the typed view other contexts read. */
export interface ServedModel {
  state: ModelState;
  /** The version loaded last (running or not); null for a model never loaded here. */
  version: string | null;
  /** Known once a worker loaded the model; kept after it is unloaded. */
  io: ModelIo | null;
}

/**
 * What the inference context may ask of the lifecycle context: make a model ready, run a
 * batch on its worker, know what is recorded of it. Everything else about workers stays inside lifecycle.
 */
export interface ModelServingPort {
  /**
   * The one lazy-load door, for every protocol: resolves once the model runs (any version; else its latest
   * is loaded, concurrent callers sharing one load). Refused while it crash-loops. Rejects with a
   * DomainError: MODEL_NOT_FOUND, LOAD_FAILED, INVALID_CHECKSUM, INSUFFICIENT_MEMORY.
   */
  ensureLoaded(modelId: string): Promise<ServedModel>;
  /** What is recorded, now: never starts, stops or evicts a worker. */
  describe(modelId: string): ServedModel;
  /**
   * One batch on the model's worker (one IPC call). Rejects with MODEL_NOT_LOADED /
   * MODEL_UNHEALTHY (DomainError) when the model is not `loaded`, and with a
   * `BatchFailedError` when the worker dies mid-batch, misses the deadline or refuses the batch.
   */
  infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult>;
  /** The inputs (names, dims) of the model's running worker; undefined unless it is `loaded`. */
  declaredInputs(modelId: string): ReadonlyArray<{ name: string; dims: ReadonlyArray<number | string> }> | undefined;
  /** Current state; 'unloaded' for models never loaded here. */
  state(modelId: string): ModelState;
}

export const MODEL_SERVING = Symbol('MODEL_SERVING');
