import { DomainError } from '../../../shared/domain/domain-error.js';
import { nodeRequest, type HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { readBoundedBody } from '../../../shared/http/edge/bounded-body.js';
import { assertContentType } from '../../../shared/http/edge/content-type.js';
import { jsonNestsDeeper, TOO_DEEP_MESSAGE } from '../../../shared/http/edge/json-depth.js';
import { findWireFault } from '../../../shared/http/edge/wire-safe.js';
import { OipError } from './oip-error.js';

/** Past this a request is refused with 413, counted after decompression; a 1×3×1024×1024 FP32 tensor is 12 MiB binary. */
export const OIP_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** What each surface parses: OIP's binary extension sends octet-stream; tritonclient sends no type at all. */
export const OIP_CONTENT_TYPES = ['application/json', 'application/octet-stream'] as const;
export const OPENAI_CONTENT_TYPES = ['application/json'] as const;

/** What an OIP POST carried: the JSON header (parsed) and the binary tensor data after it, if any. */
export interface OipBody {
  header: unknown;
  binary: Buffer;
}

/**
 * Reads an OIP (or OpenAI) body as its route's types allow. Read here, per route (marked
 * ReadsOwnBody), rather than by a global parser: inside an Express host app, a parser that
 * already ran (e.g. express.json) leaves its result in `req.body`, used as is; Fastify leaves
 * these routes' bodies unparsed. Either way the JSON then passes the edge guard
 * (depth, NUL, lone surrogates, non-finite numbers) in one pass before anything else sees it.
 */
export async function readOipBody(req: HttpRequest, accepted: readonly string[] = OIP_CONTENT_TYPES): Promise<OipBody> {
  const stream = nodeRequest(req);
  assertContentType(stream, accepted, true);
  // body-parser 2 leaves req.body undefined unless it parsed; either way the stream is then spent.
  const parsed = req.body !== undefined || stream.readableEnded;
  const body = parsed && !Buffer.isBuffer(req.body) ? { header: req.body, binary: Buffer.alloc(0) } : splitBody(parsed ? (req.body as Buffer) : await readBoundedBody(stream, OIP_BODY_LIMIT_BYTES), req.headers['inference-header-content-length']);
  const fault = findWireFault(body.header, 'body');
  if (fault) throw new DomainError('VALIDATION_ERROR', `${fault.path} ${fault.problem}`, { field: fault.path });
  return body;
}

/** The binary tensor extension: the first `Inference-Header-Content-Length` bytes are JSON. */
function splitBody(raw: Buffer, headerLength: string | string[] | undefined): OipBody {
  let jsonEnd = raw.length;
  if (headerLength !== undefined) {
    const n = Number(Array.isArray(headerLength) ? headerLength[0] : headerLength);
    if (!Number.isSafeInteger(n) || n < 0 || n > raw.length) {
      throw new OipError(400, `Inference-Header-Content-Length ${String(headerLength)} is not a length within the ${raw.length}-byte body`);
    }
    jsonEnd = n;
  }
  if (jsonNestsDeeper(raw, jsonEnd)) throw new DomainError('VALIDATION_ERROR', TOO_DEEP_MESSAGE, { field: 'body' });
  const text = raw.toString('utf8', 0, jsonEnd);
  if (text.trim().length === 0) throw new OipError(400, 'the request body is empty; expected an inference request JSON object');
  try {
    return { header: JSON.parse(text), binary: raw.subarray(jsonEnd) };
  } catch (err) {
    throw new OipError(400, `the request body is not JSON: ${(err as Error).message}`);
  }
}
