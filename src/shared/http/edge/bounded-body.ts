import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { DomainError } from '../../domain/domain-error.js';

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
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
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
      size += chunk.length;
      if (size > limitBytes) return fail(tooLarge(limitBytes));
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    source.on('error', (err: Error) => {
      fail(encoding ? new DomainError('VALIDATION_ERROR', `body does not decode as ${encoding}: ${err.message}`) : err);
    });
  });
}
