import { bearerTokenMatches } from './api-token.guard.js';
import type { RawMiddleware } from './http-edge.js';
import { protocolErrorBody, protocolOf } from './protocol-errors.js';

/**
 * Served without the token, compared exactly: the probes (orchestrators send none) and the
 * dashboard's static files (no data; the page asks for the token). An odd spelling needs it too.
 */
const PUBLIC_ROUTES = /^\/(health\/(live|ready|models)|v2\/health\/(live|ready)|dashboard(\/[\w.-]+)?)$/;

/**
 * Default-deny before routing: without the token every request but a public one gets 401 in its
 * protocol's shape, so no spelling the router accepts slips past (hosts keep the per-route guard).
 */
export function edgeToken(apiToken: string): RawMiddleware {
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (((req.method === 'GET' || req.method === 'HEAD') && PUBLIC_ROUTES.test(path)) || bearerTokenMatches(req.headers.authorization, apiToken)) return next();
    const body = JSON.stringify(protocolErrorBody(protocolOf(req.url), 401, 'UNAUTHORIZED', 'missing or wrong bearer token'));
    res.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'WWW-Authenticate': 'Bearer' });
    res.end(body);
    req.resume();
  };
}
