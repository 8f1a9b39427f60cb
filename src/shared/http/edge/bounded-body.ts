import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { DomainError } from '../../domain/domain-error.js';

/**
 * Bytes all requests together may hold while being read, in this process: one body at the
 * largest limit fits, but four bombs inflating to 64 MiB each would otherwise take 256 MiB at
 * once. Past it a read is refused with 503 and Retry-After, and its bytes are let go.
 */
export const INFLIGHT_BODY_BYTES = 64 * 1024 * 1024;
let inflight = 0;

const DECODERS: Record<string, () => Gunzip | Inflate> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate };

/**
 * Reads a raw Node request (Express's `req`, Fastify's `req.raw`) into memory, refusing it with
 * 413 as soon as it passes `limitBytes`, counted after decompression: the inflater is stopped
 * at the limit, so a 1 MB gzip bomb costs at most `limitBytes`, never the gigabyte it hides.
 */
export function readBoundedBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return refuseUnread(req, tooLarge(limitBytes));
  if (encoding === 'identity' || encoding === '') return collect(req, req, limitBytes);
  const decoder = DECODERS[encoding];
  if (!decoder) return refuseUnread(req, new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported (gzip, deflate)`));
  const inflater = decoder();
  req.on('error', (err) => inflater.destroy(err));
  req.pipe(inflater);
  return collect(req, inflater, limitBytes, encoding);
}

function tooLarge(limitBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `request body larger than ${limitBytes} bytes (after decompression)`);
}

function busy(): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', `the server is already reading ${INFLIGHT_BODY_BYTES} bytes of request bodies; retry shortly`, { retry_after_seconds: 1 });
}

/** The rest of the upload is discarded, not buffered, so the answer can be written. */
function refuseUnread(req: IncomingMessage, err: DomainError): Promise<never> {
  req.resume();
  return Promise.reject(err);
}

function collect(req: IncomingMessage, source: NodeJS.ReadableStream & { destroy(): void }, limitBytes: number, encoding?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const release = () => {
      inflight -= size;
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      release();
      chunks.length = 0;
      if (source !== req) {
        req.unpipe();
        source.destroy();
      }
      req.removeAllListeners('data');
      req.resume();
      reject(err);
    };
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > limitBytes) return fail(tooLarge(limitBytes));
      if (inflight + chunk.length > INFLIGHT_BODY_BYTES) return fail(busy());
      size += chunk.length;
      inflight += chunk.length;
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      release();
      resolve(Buffer.concat(chunks, size));
    });
    // A client gone mid-upload ends nothing: its bytes must still leave the budget.
    req.on('close', () => {
      if (!req.complete) fail(new DomainError('VALIDATION_ERROR', 'the client closed the connection before the body ended'));
    });
    source.on('error', (err: Error) => {
      fail(encoding ? new DomainError('VALIDATION_ERROR', `body does not decode as ${encoding}: ${err.message}`) : err);
    });
  });
}
