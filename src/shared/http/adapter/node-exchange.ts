import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a request offers under both HTTP adapters (Express's request is node's, extended;
 * Fastify's wraps node's as `raw`): enough for our controllers and guards not to know which.
 */
export interface HttpRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: IncomingHttpHeaders;
  params?: unknown;
  query?: unknown;
  body?: unknown;
  raw?: IncomingMessage;
}

/** What a response offers under both adapters (Express's Response, Fastify's reply), for routes that answer by hand. */
export interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  send(body?: unknown): unknown;
}

/** The node request under either adapter's. */
export function nodeRequest(req: HttpRequest | IncomingMessage): IncomingMessage {
  return isFastifyRequest(req) ? req.raw : (req as IncomingMessage);
}

/**
 * Takes node's response over from the adapter, for a stream written by hand (SSE). Fastify
 * must be told (`hijack`), or it would answer the request a second time when the handler returns.
 */
export function takeNodeResponse(res: object): ServerResponse {
  const reply = res as { hijack?: () => void; raw?: ServerResponse };
  if (typeof reply.hijack === 'function' && reply.raw) {
    reply.hijack();
    return reply.raw;
  }
  return res as ServerResponse;
}

/** The request's path as the client sent it (with any mount prefix), without the query. */
export function requestPath(req: HttpRequest): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isFastifyRequest(req: object): req is HttpRequest & { raw: IncomingMessage } {
  const raw = (req as HttpRequest).raw;
  return raw !== undefined && raw !== req && typeof raw.on === 'function';
}
