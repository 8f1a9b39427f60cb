import type { IncomingHttpHeaders } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { jsonNestsDeeper, TOO_DEEP_MESSAGE } from './json-depth.js';
import { protocolErrorBody, protocolOf } from './protocol-errors.js';

type Done<T> = (err: Error | null, value?: T) => void;
interface FastifyRequestLike {
  headers: IncomingHttpHeaders;
  routeOptions?: { config?: Record<string, unknown> };
}
type JsonParser = (req: FastifyRequestLike, body: string, done: Done<unknown>) => void;
interface FastifyLike {
  addHook(name: 'preParsing', hook: (req: FastifyRequestLike, reply: unknown, payload: NodeJS.ReadableStream, done: Done<NodeJS.ReadableStream>) => void): unknown;
  getDefaultJsonParser(onProto: 'error', onConstructor: 'error'): JsonParser;
  removeContentTypeParser(type: string): unknown;
  addContentTypeParser(type: string, options: { parseAs: 'string'; bodyLimit: number }, parser: JsonParser): unknown;
}

const DECODERS: Record<string, () => Gunzip | Inflate> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate };

const refusal = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

/**
 * What body-parser does for REST on Express, on the standalone Fastify server: a compressed
 * body is inflated as a stream that Fastify's `bodyLimit` counts (so the limit holds after
 * decompression), JSON nested deeper than reason is refused before it is parsed, and an empty
 * JSON body is no body. Routes
 * that read their own bodies (OIP, OpenAI) are left alone: they bound themselves.
 */
export function installFastifyBodyBounds(instance: unknown, bodyLimit: number): void {
  const fastify = instance as FastifyLike;
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    const header = req.headers['content-encoding'];
    if (header === undefined) return done(null, payload); // the common case, decided without a string op
    const encoding = String(header).trim().toLowerCase();
    if (encoding === 'identity' || encoding === '' || (req.routeOptions?.config?.modelmora as { ownBody?: boolean } | undefined)?.ownBody) return done(null, payload);
    const decoder = DECODERS[encoding];
    if (!decoder) return done(refusal(415, `Content-Encoding ${encoding} is not supported (gzip, deflate)`));
    const inflater = decoder() as Gunzip & { receivedEncodedLength?: number };
    // Fastify checks Content-Length against the bytes received, not the inflated ones.
    inflater.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => (inflater.receivedEncodedLength! += chunk.length));
    inflater.on('error', () => undefined); // reported by Fastify's read of the stream
    payload.pipe(inflater);
    done(null, inflater);
  });
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (req, body, done) => {
    if (body === '') return done(null, undefined); // no body, as on Express
    if (jsonNestsDeeper(body)) return done(refusal(400, TOO_DEEP_MESSAGE));
    parseJson(req, body, done);
  });
}

interface ReplyLike {
  raw: { writeHead(status: number, headers: Record<string, string | number>): unknown; end(body: string): unknown };
  hijack(): void;
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or filter runs (a URL
 * whose percent-encoding does not decode) answered in the protocol its path speaks, not in
 * Fastify's own `{statusCode, code, error}` shape.
 */
export function answerFrameworkError(error: Error, req: { url?: string }, reply: ReplyLike): void {
  const body = protocolErrorBody(protocolOf(req.url), 400, 'VALIDATION_ERROR', `malformed request URL: ${error.message}`);
  const text = JSON.stringify(body);
  reply.hijack();
  reply.raw.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  reply.raw.end(text);
}
