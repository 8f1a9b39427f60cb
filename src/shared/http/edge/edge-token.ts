import { bearerTokenMatches } from './api-token.guard.js';
import type { RawMiddleware } from './http-edge.js';
import { protocolErrorBody, protocolOf } from './protocol-errors.js';

/**
 * What the standalone server serves without the token, exactly as documented: the probes
 * (orchestrators send no token; they answer a status only) and the dashboard's static files
 * (the page holds no data; it asks for the token). Compared exactly and case-sensitively, so
 * an odd spelling of a public route needs the token too; it can never open a guarded one.
 */
const PUBLIC_ROUTES = /^\/(health\/(live|ready|models)|v2\/health\/(live|ready)|dashboard(\/[\w.-]+)?)$/;

/**
 * Default-deny at the edge: without the right bearer token, every request but a public route
 * gets 401 in its protocol's shape, before routing. Whatever spelling the router accepts
 * (case, trailing slash, encodings, Swagger's own mounts) is therefore guarded, and the
 * per-controller guard stays for hosts that embed the module.
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
