import { bearerTokenMatches } from './api-token.guard.js';
import type { RawMiddleware } from './http-edge.js';
import { protocolErrorBody } from './protocol-errors.js';

/**
 * The path as a router may match it: percent-decoded, lower-cased (Express routes
 * case-insensitively), duplicate slashes collapsed. A path that does not decode is kept raw
 * but lower-cased, so it can only be guarded more, never less.
 */
export function routeKey(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch { /* kept as sent */ }
  return decoded.replace(/\/{2,}/g, '/').toLowerCase();
}

/**
 * Puts the OpenAPI UI and document (mounted by Swagger outside Nest's routes, so outside its
 * guards) behind the bearer token, for every spelling a router would serve: `/API/DOCS-JSON`,
 * `/api/docs/`, `/api/%64ocs`. Raw Node request/response, so Express and Fastify alike.
 */
export function docsTokenGuard(path: string, apiToken: string): RawMiddleware {
  const prefix = routeKey(`/${path.replace(/^\/+/, '')}`);
  return (req, res, next) => {
    if (!routeKey(req.url).startsWith(prefix) || bearerTokenMatches(req.headers.authorization, apiToken)) return next();
    const body = JSON.stringify(protocolErrorBody('rest', 401, 'UNAUTHORIZED', 'missing or wrong bearer token'));
    res.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}
