import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_STATUS } from './error-status.js';
import type { HttpEdgeOptions } from './http-edge-options.js';
import { protocolErrorBody, protocolOf } from './protocol-errors.js';

/** A raw Node middleware: Express calls it with its req/res, Fastify (middie) with req.raw/res.raw. */
export type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CORS_HEADERS = 'Authorization, Content-Type, Content-Encoding, Inference-Header-Content-Length, Last-Event-ID';
const EXPOSED_HEADERS = 'Inference-Header-Content-Length, Retry-After';
/** Orchestrators probe by pod IP; these answer nothing a rebinding page could use. */
const HOST_EXEMPT = /^\/(v2\/)?health(\/|$)/i;

const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
];

/**
 * The checks a browser-reachable server needs before any route runs: security headers, the
 * `Host` check while listening on loopback (DNS rebinding), and the `Origin` check on writes
 * (a page may POST a no-type Blob cross-site without a preflight), with CORS for allowed
 * origins. `listening()` is the server's bound address, read until the server has one.
 */
export function httpEdge(options: HttpEdgeOptions, listening: () => string | undefined): RawMiddleware {
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  const anyOrigin = origins.has('*');
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const anyHost = hosts.has('*');
  let bound: string | undefined;
  // Per request on the hot path: the last Host header found allowed skips the URL parse (clients resend the same one).
  let lastAllowedHost: string | undefined;
  return (req, res, next) => {
    if (options.securityHeaders) {
      for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
      if (res.hasHeader('X-Powered-By')) res.removeHeader('X-Powered-By');
    }
    const host = req.headers.host;
    if (!anyHost && host !== lastAllowedHost && isLoopbackAddress((bound ??= listening()))) {
      if (hostAllowed(host, hosts)) lastAllowedHost = host;
      else if (!HOST_EXEMPT.test(fullUrl(req).split('?')[0]!)) {
        return refuse(req, res, 'FORBIDDEN_HOST', `Host ${JSON.stringify(host ?? '')} is not served here (a loopback name, or one in MODELMORA_ALLOWED_HOSTS)`);
      }
    }
    const origin = req.headers.origin;
    if (origin === undefined || sameOrigin(origin, host)) return next();
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (anyOrigin || origins.has(origin.toLowerCase())) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      if (!preflight) return next();
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers': CORS_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    if (SAFE_METHODS.has(req.method ?? 'GET') && !preflight) return next(); // no CORS headers: the page cannot read the answer
    refuse(req, res, 'FORBIDDEN_ORIGIN', `requests from origin ${JSON.stringify(origin)} are not allowed (MODELMORA_ALLOWED_ORIGINS)`);
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, code: string, message: string): void {
  const status = ERROR_STATUS[code]!;
  const body = JSON.stringify(protocolErrorBody(protocolOf(fullUrl(req)), status, code, message));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  req.resume(); // an unread upload is discarded, not buffered
}

/** The URL as the client sent it: a mounted middleware (Express's `use(path)`, middie) sees `url` without its mount path. */
function fullUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a) || a.toLowerCase() === 'localhost';
}

/** Loopback names always; `*.localhost` too (RFC 6761: browsers resolve it to loopback only). */
function hostAllowed(header: string | undefined, allowed: Set<string>): boolean {
  if (header === undefined) return true; // HTTP/1.0 without Host: nothing a browser sends
  const name = hostName(header);
  if (name === undefined) return false;
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name) || name === '[::1]' || allowed.has(name);
}

function hostName(header: string): string | undefined {
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return false;
  }
}
