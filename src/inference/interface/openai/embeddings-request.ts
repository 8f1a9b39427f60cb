import { OpenAiError } from './openai-error.js';

/** A checked `POST /v1/embeddings` body. */
export interface EmbeddingsRequest {
  model: string;
  texts: string[];
  encoding: 'float' | 'base64';
  dimensions?: number;
}

const bad = (message: string, param: string) => new OpenAiError(400, message, 'invalid_request', param);

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object {model, input, ...}', 'body');
  const { model, input, encoding_format: encoding = 'float', dimensions } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model.length === 0) throw bad('model must be a model id string', 'model');
  if (model.includes('\0')) throw bad('model must not contain the NUL character (\\u0000): no model id has one', 'model');
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((t) => typeof t === 'string')) texts = input;
  else if (Array.isArray(input) && input.length > 0) throw bad('input must be text: token-id arrays are not accepted (the model tokenizes itself)', 'input');
  else throw bad('input must be a string or a non-empty array of strings', 'input');
  if (encoding !== 'float' && encoding !== 'base64') throw bad(`encoding_format must be "float" or "base64", got ${JSON.stringify(encoding)}`, 'encoding_format');
  if (dimensions !== undefined && !(Number.isSafeInteger(dimensions) && (dimensions as number) > 0)) throw bad('dimensions must be a positive integer', 'dimensions');
  return { model, texts, encoding, dimensions: dimensions as number | undefined };
}

/** OpenAI's base64 form: the float32 little-endian bytes of the vector. */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

/**
 * `dimensions` shortens a vector only for models registered with `config.matryoshka: true`
 * (trained so that a prefix is itself an embedding); the prefix is L2-normalised again.
 */
export function shorten(vector: number[], dimensions: number | undefined, matryoshka: boolean, model: string): number[] {
  if (dimensions === undefined || dimensions === vector.length) return vector;
  if (!matryoshka || dimensions > vector.length) {
    throw bad(`model '${model}' produces ${vector.length}-dimensional embeddings; dimensions must be ${vector.length}${matryoshka ? ' or less' : ' (shorter ones need a model registered with config.matryoshka: true)'}`, 'dimensions');
  }
  const prefix = vector.slice(0, dimensions);
  const norm = Math.hypot(...prefix) || 1;
  return prefix.map((v) => v / norm);
}
