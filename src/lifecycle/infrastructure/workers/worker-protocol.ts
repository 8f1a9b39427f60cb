/**
 * IPC contract between the control plane (parent) and one model worker process (child).
 * Plain data only: messages cross `child_process` IPC with the `advanced` serialization.
 */

import type { PoolingMode } from '../../../shared/domain/serving-config.js';
import type { TensorType } from '../../../shared/tensors/tensor-types.js';

export type { PoolingMode, TensorType };

/**
 * A named tensor in the REST/IPC JSON form (DESIGN §7): flat row-major data. `float16` travels
 * as the numbers it stands for (exact), `string` as JS strings; int64 and uint64 as numbers,
 * so only values within ±2^53 are exact.
 */
export interface TensorJson {
  dims: number[];
  /** Defaults to float32 (or the model's declared input type when the runtime knows it). */
  type?: TensorType;
  data: Array<number | boolean | string>;
  /** Inputs only, instead of `data`: the elements' little-endian bytes, base64 (not for `string`). */
  data_base64?: string;
}

export type TensorMap = Record<string, TensorJson>;

/** txt2embed texts with options: `truncate: false` refuses a text over the model's limit instead of cutting it. */
export interface TextBatch {
  texts: string[];
  truncate?: boolean;
}

/** One inference item: named tensors for `tensor`, text(s) for `txt2embed`. */
export type InferenceInput = TensorMap | string | string[] | TextBatch;

export interface EmbeddingOutput {
  embeddings: number[][];
  dimensions: number;
  /** Tokens each text was encoded to (after truncation, with special tokens): usage counts. */
  token_counts?: number[];
}

export type InferenceOutput = TensorMap | EmbeddingOutput;

export type WorkerErrorCode = 'INVALID_INPUT' | 'INFERENCE_FAILED' | 'LOAD_FAILED' | 'MODEL_NOT_LOADED' | 'OUTPUT_TOO_LARGE';

export interface WorkerErrorBody {
  code: WorkerErrorCode;
  message: string;
}

/** Symbolic dims are kept as their name (string) or -1 when unnamed. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: string;
  dims: Dim[];
}

export interface RuntimeOptions {
  /** ONNX Runtime intra-op threads; default 1 (several workers share few cores). */
  intraOpNumThreads?: number;
  /** tensor: concatenate compatible items along dim 0 into one run; default true. */
  dynamicBatching?: boolean;
  /** txt2embed: truncate token sequences to this length (config.max_seq_length), whatever the folder says. */
  maxSequenceLength?: number;
  /** txt2embed: pooling and normalisation (config.pooling / config.normalize), whatever the folder declares. */
  pooling?: PoolingMode;
  normalize?: boolean;
  /** The .onnx file to load, relative to the model folder (config.onnx_file). */
  onnxFile?: string;
  /** txt2embed: padded tokens (rows × longest row) per ONNX run (config.max_batch_tokens); default DEFAULT_MAX_BATCH_TOKENS. */
  maxBatchTokens?: number;
  /** An item whose outputs exceed this many raw tensor bytes fails with INFERENCE_FAILED, inside the worker. */
  maxOutputBytes?: number;
}

export interface LoadPayload {
  modelDir: string;
  taskType: string;
  runtimeOptions?: RuntimeOptions;
}

/** How a txt2embed worker computes its vectors, and which file or setting decided each part. */
export interface EmbeddingServing {
  layout: 'sentence-transformers' | 'optimum' | 'tokenizer-and-onnx';
  /** The graph output read: token embeddings to pool, or a `sentence_embedding` used as it is. */
  output: string;
  /** Empty when the graph's `sentence_embedding` is used as it is. */
  pooling: PoolingMode[];
  pooling_source: string;
  normalize: boolean;
  normalize_source: string;
  max_seq_length: number;
  max_seq_length_source: string;
  truncation_side: 'right' | 'left';
}

export interface ModelMetadata {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** The .onnx file the session was created from. */
  model_path: string;
  rss_mb: number;
  /** txt2embed only. */
  embedding?: EmbeddingServing;
}

export interface InferPayload {
  items: InferenceInput[];
}

export type ItemResult =
  | { ok: true; outputs: InferenceOutput }
  | { ok: false; error: WorkerErrorBody };

export interface InferResult {
  /** One entry per item, in order. */
  results: ItemResult[];
  /** How many times `session.run` was called for the batch (1 when dynamic batching applied). */
  session_runs: number;
}

export interface PingResult {
  rss_mb: number;
}

export interface ShutdownResult {
  bye: true;
}

/** Request payload and result types by message type. */
export interface RequestMap {
  load: { payload: LoadPayload; result: ModelMetadata };
  infer: { payload: InferPayload; result: InferResult };
  ping: { payload: undefined; result: PingResult };
  shutdown: { payload: undefined; result: ShutdownResult };
}

export type RequestType = keyof RequestMap;

export type WorkerRequest = {
  [K in RequestType]: { id: number; type: K; payload: RequestMap[K]['payload'] };
}[RequestType];

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WorkerErrorBody };

export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

export type ChildMessage = WorkerReply | ReadyMessage;

export function isReadyMessage(msg: unknown): msg is ReadyMessage {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'ready';
}

export function isWorkerReply(msg: unknown): msg is WorkerReply {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    typeof (msg as { id?: unknown }).id === 'number' &&
    typeof (msg as { ok?: unknown }).ok === 'boolean'
  );
}
