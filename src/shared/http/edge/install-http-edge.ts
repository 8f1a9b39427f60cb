import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ModelMoraOptionsInput } from '../../config/modelmora-options.js';
import { httpEdge, type RawMiddleware } from './http-edge.js';
import { DEFAULT_HTTP_EDGE } from './http-edge-options.js';
import { protocolOf } from './protocol-errors.js';

/**
 * The standalone server's edge, installed before any parser or route (Swagger's included):
 * on by default, `httpEdge: false` turns it off. The module is then built without its own
 * `httpEdge`, so the same checks do not run twice.
 */
export function installHttpEdge(app: INestApplication, options: ModelMoraOptionsInput): void {
  if (options.httpEdge === false) return;
  const server = app.getHttpServer() as Server;
  const edge = { ...DEFAULT_HTTP_EDGE, ...(typeof options.httpEdge === 'object' ? options.httpEdge : {}) };
  useRawMiddleware(app, httpEdge(edge, () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.address : undefined;
  }));
}

interface FastifyHooks {
  addHook(name: 'onRequest', hook: (req: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }, done: (err?: Error) => void) => void): unknown;
}

/**
 * A raw Node middleware for the whole app, before any body is read: `app.use` on Express, an
 * `onRequest` hook on Fastify. Not middie: once it holds one middleware it copies a dozen
 * request getters (ip, hostname, query…) onto every request, a cost on each inference.
 * The middleware must decide synchronously (ours do): one that has not called `next` on return
 * is taken to have answered, and Fastify is told to keep off the response.
 */
export function useRawMiddleware(app: INestApplication, middleware: RawMiddleware): void {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() !== 'fastify') return void app.use(middleware);
  const hook: Parameters<FastifyHooks['addHook']>[1] = (req, reply, done) => {
    let passed = false;
    middleware(req.raw, reply.raw, (err?: unknown) => {
      passed = true;
      done(err as Error | undefined);
    });
    // The middleware answered by itself (a refusal, a preflight): Fastify must not answer too.
    if (!passed) reply.hijack();
  };
  try {
    (adapter.getInstance() as FastifyHooks).addHook('onRequest', hook);
  } catch {
    app.use(middleware); // a host that calls this once Fastify is ready: middie still takes middleware then
  }
}

/** The global JSON parser's `type`: REST's JSON only; /v2 and /v1 read their own bodies (bounded after decompression). */
export function isRestJson(req: IncomingMessage): boolean {
  return protocolOf(req.url) === 'rest' && /^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '');
}
