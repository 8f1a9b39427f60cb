import type {
  EmbeddingServing,
  InferenceInput,
  InferResult,
  RuntimeOptions,
  ValueInfo,
} from '../worker-protocol.js';

export interface LoadedModelInfo {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  modelPath: string;
  embedding?: EmbeddingServing;
}

/** The runtime of one task type (a model format plugin) inside a worker process. */
export interface TaskRuntime {
  load(modelDir: string, options: RuntimeOptions): Promise<LoadedModelInfo>;
  /** Runs a batch; per-item failures are reported in the result, never thrown. */
  infer(items: readonly InferenceInput[]): Promise<InferResult>;
  dispose(): Promise<void>;
}
