import { OpenAiError } from './openai-error.js';

/** A checked `POST /v1/embeddings` body. */
export interface EmbeddingsRequest {
  model: string;
  texts: string[];
  encoding: 'float' | 'base64';
  dimensions?: number;
  /** Extension (TEI's name): false refuses a text over the model's limit instead of truncating it. */
  truncate: boolean;
}

const bad = (message: string, param: string) => new OpenAiError(400, message, 'invalid_request', param);

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object {model, input, ...}', 'body');
  const { model, input, encoding_format: encoding = 'float', dimensions, truncate = true } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model.length === 0) throw bad('model must be a model id string', 'model');
  if (model.includes('\0')) throw bad('model must not contain the NUL character (\\u0000): no model id has one', 'model');
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((t) => typeof t === 'string')) texts = input;
  else if (Array.isArray(input) && input.length > 0) throw bad('input must be text: token-id arrays are not accepted (the model tokenizes itself)', 'input');
  else throw bad('input must be a string or a non-empty array of strings', 'input');
  if (encoding !== 'float' && encoding !== 'base64') throw bad(`encoding_format must be "float" or "base64", got ${JSON.stringify(encoding)}`, 'encoding_format');
  if (dimensions !== undefined && !(Number.isSafeInteger(dimensions) && (dimensions as number) > 0)) throw bad('dimensions must be a positive integer', 'dimensions');
  if (typeof truncate !== 'boolean') throw bad('truncate must be true (the default: cut texts over the model\'s limit) or false (refuse them)', 'truncate');
  return { model, texts, encoding, dimensions: dimensions as number | undefined, truncate };
}

/** The job's inputs: the texts, or `{texts, truncate: false}` when the caller wants a refusal instead of a cut. */
export function jobInputs(request: EmbeddingsRequest): string[] | { texts: string[]; truncate: false } {
  return request.truncate ? request.texts : { texts: request.texts, truncate: false };
}

/** OpenAI's base64 form: the float32 little-endian bytes of the vector. */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

/**
 * `dimensions` is accepted only for models registered with `config.matryoshka: true` (trained
 * so that a prefix is itself an embedding), as OpenAI refuses it for models without that training.
 */
export function checkDimensions(dimensions: number | undefined, matryoshka: boolean, model: string): void {
  if (dimensions !== undefined && !matryoshka) {
    throw bad(`model '${model}' does not support dimensions: register it with config.matryoshka: true if it was trained for shorter embeddings`, 'dimensions');
  }
}

/** The first `dimensions` values of a Matryoshka vector, L2-normalised again. */
export function shorten(vector: number[], dimensions: number | undefined, matryoshka: boolean, model: string): number[] {
  checkDimensions(dimensions, matryoshka, model);
  if (dimensions === undefined || dimensions === vector.length) return vector;
  if (dimensions > vector.length) throw bad(`model '${model}' produces ${vector.length}-dimensional embeddings; dimensions must be ${vector.length} or less`, 'dimensions');
  const prefix = vector.slice(0, dimensions);
  const norm = Math.hypot(...prefix) || 1;
  return prefix.map((v) => v / norm);
}
