/** The keys of a model's `config` that change what its worker computes, read in one place: refused at registration, handed to the worker, read by OpenAI. */

/** sentence-transformers' pooling modes, by the names its `Pooling(pooling_mode=...)` takes. */
export const POOLING_MODES = ['cls', 'mean', 'max', 'mean_sqrt_len_tokens', 'weightedmean', 'lasttoken'] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

export interface ServingConfig {
  /** txt2embed: pool token embeddings this way, whatever the folder declares. */
  pooling?: PoolingMode;
  /** txt2embed: L2-normalise the pooled vector (true) or not (false), whatever the folder declares. */
  normalize?: boolean;
  /** txt2embed: the model was trained so that a prefix of its vector is an embedding (OpenAI `dimensions`). */
  matryoshka?: boolean;
  /** txt2embed: truncate texts to this many tokens (special tokens included), whatever the folder says. */
  max_seq_length?: number;
  /** The .onnx file to load, relative to the model folder (e.g. `onnx/model_quantized.onnx`). */
  onnx_file?: string;
  /** Tokens per batch: the dispatcher's estimate per worker call, and the padded tokens (rows × longest) per ONNX run. */
  max_batch_tokens?: number;
}

/**
 * The default of `max_batch_tokens`. all-MiniLM-L6-v2 on a 2-core machine computes about as
 * many tokens per ms from 2 rows up to ~2k padded tokens, and slows down past 4k (docs/models.md).
 */
export const DEFAULT_MAX_BATCH_TOKENS = 2048;

const MAX_SEQ_LENGTH = 1_000_000;
const MAX_BATCH_TOKENS = 10_000_000;

const SERVING_KEYS = ['pooling', 'normalize', 'matryoshka', 'max_seq_length', 'onnx_file', 'max_batch_tokens'] as const;

const isInteger = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/** A relative path of `.onnx` inside the model folder: no absolute path, no `..`, no backslash. */
function isOnnxFile(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255 || !v.endsWith('.onnx')) return false;
  if (v.startsWith('/') || v.includes('\\') || v.includes('\0')) return false;
  return v.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Why each serving key of `config` is wrong (empty when all are fine); null means unset; other keys are not looked at. */
export function servingConfigProblems(config: Readonly<Record<string, unknown>>): Array<{ key: string; problem: string }> {
  const problems: Array<{ key: string; problem: string }> = [];
  const check = (key: keyof ServingConfig, ok: (v: unknown) => boolean, expected: string) => {
    if (Object.hasOwn(config, key) && config[key] != null && !ok(config[key])) {
      problems.push({ key, problem: `config.${key} must be ${expected}, got ${JSON.stringify(config[key]) ?? String(config[key])}` });
    }
  };
  check('pooling', (v) => (POOLING_MODES as readonly unknown[]).includes(v), `one of ${POOLING_MODES.join(', ')}`);
  check('normalize', (v) => typeof v === 'boolean', 'true or false');
  check('matryoshka', (v) => typeof v === 'boolean', 'true or false');
  check('max_seq_length', (v) => isInteger(v, 1, MAX_SEQ_LENGTH), `an integer from 1 to ${MAX_SEQ_LENGTH}`);
  check('max_batch_tokens', (v) => isInteger(v, 1, MAX_BATCH_TOKENS), `an integer from 1 to ${MAX_BATCH_TOKENS}`);
  check('onnx_file', isOnnxFile, 'a relative path to a .onnx file inside the model folder (no "..")');
  return problems;
}

/**
 * The valid serving keys of a stored config. A value that is not valid is left out
 * rather than refused: registrations recorded before these checks existed still load.
 */
export function readServingConfig(config: Readonly<Record<string, unknown>> | null | undefined): ServingConfig {
  const source = config ?? {};
  const bad = new Set(servingConfigProblems(source).map((p) => p.key));
  const out: Record<string, unknown> = {};
  for (const key of SERVING_KEYS) {
    if (Object.hasOwn(source, key) && source[key] != null && !bad.has(key)) out[key] = source[key];
  }
  return out as ServingConfig;
}
