import type {
  InferenceInput,
  InferResult,
  RuntimeOptions,
  ValueInfo,
} from '../worker-protocol.js';

export interface LoadedModelInfo {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  modelPath: string;
}

/** A model format/task plugin living inside a worker process. */
export interface ModelRuntime {
  load(modelDir: string, options: RuntimeOptions): Promise<LoadedModelInfo>;
  /** Runs a batch; per-item failures are reported in the result, never thrown. */
  infer(items: readonly InferenceInput[]): Promise<InferResult>;
  dispose(): Promise<void>;
}
