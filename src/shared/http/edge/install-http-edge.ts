import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { ModelMoraOptionsInput } from '../../config/modelmora-options.js';
import { httpEdge } from './http-edge.js';
import { DEFAULT_HTTP_EDGE } from './http-edge-options.js';
import { protocolOf } from './protocol-errors.js';

/**
 * The standalone server's edge, installed before any parser or route (Swagger's included):
 * on by default, `httpEdge: false` turns it off. Adapter-neutral: `app.use` hands Express and
 * Fastify (middie) middleware the raw Node request. The module is then built without its
 * own `httpEdge`, so the same checks do not run twice.
 */
export function installHttpEdge(app: INestApplication, options: ModelMoraOptionsInput): void {
  if (options.httpEdge === false) return;
  const server = app.getHttpServer() as Server;
  const edge = { ...DEFAULT_HTTP_EDGE, ...(typeof options.httpEdge === 'object' ? options.httpEdge : {}) };
  app.use(httpEdge(edge, () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.address : undefined;
  }));
}

/** The global JSON parser's `type`: REST's JSON only; /v2 and /v1 read their own bodies (bounded after decompression). */
export function isRestJson(req: IncomingMessage): boolean {
  return protocolOf(req.url) === 'rest' && /^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '');
}
