import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { nodeRequest, type HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { OipError } from './oip-error.js';

/** Past this a request is refused with 413; a 1×3×1024×1024 FP32 tensor is 12 MiB binary. */
const OIP_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

const unzip: Record<string, (b: Buffer) => Promise<Buffer>> = { gzip: promisify(gunzip), deflate: promisify(inflate) };

/** What an OIP POST carried: the JSON header (parsed) and the binary tensor data after it, if any. */
export interface OipBody {
  header: unknown;
  binary: Buffer;
}

/**
 * Reads an OIP body whatever its Content-Type (tritonclient sends none). Read here, per
 * route (marked ReadsOwnBody), rather than by a global parser: inside an Express host app, a
 * parser that already ran (e.g. express.json for application/json) leaves its result in
 * `req.body`, used as is; Fastify leaves these routes' bodies unparsed.
 */
export async function readOipBody(req: HttpRequest): Promise<OipBody> {
  const stream = nodeRequest(req);
  // body-parser 2 leaves req.body undefined unless it parsed; either way the stream is then spent.
  const parsed = req.body !== undefined || stream.readableEnded;
  if (parsed && !Buffer.isBuffer(req.body)) return { header: req.body, binary: Buffer.alloc(0) };
  let raw = parsed ? (req.body as Buffer) : await readStream(stream);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    const decode = unzip[encoding];
    if (!decode) throw new OipError(415, `Content-Encoding ${encoding} is not supported (gzip, deflate)`);
    raw = await decode(raw).catch((err: Error) => {
      throw new OipError(400, `body does not decode as ${encoding}: ${err.message}`);
    });
  }
  return splitBody(raw, req.headers['inference-header-content-length']);
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
  const text = raw.toString('utf8', 0, jsonEnd);
  if (text.trim().length === 0) throw new OipError(400, 'the request body is empty; expected an inference request JSON object');
  try {
    return { header: JSON.parse(text), binary: raw.subarray(jsonEnd) };
  } catch (err) {
    throw new OipError(400, `the request body is not JSON: ${(err as Error).message}`);
  }
}

function readStream(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > OIP_BODY_LIMIT_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new OipError(413, `request body larger than ${OIP_BODY_LIMIT_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
