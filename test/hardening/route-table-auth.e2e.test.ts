import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { databaseBackends } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

const TOKEN = 'route-table-token';
/** The documented probes and the dashboard's static page, served without the token (README, docs/operations.md). */
const DOCUMENTED_PUBLIC = new Set(['GET /health/live', 'GET /health/ready', 'GET /health/models', 'GET /v2/health/live', 'GET /v2/health/ready', 'GET /dashboard', 'GET /dashboard/config.json', 'GET /dashboard/:file']);

interface ServedRoute {
  method: string;
  /** As the adapter holds it, e.g. `/api/v1/models/:model_id`. */
  pattern: string;
  /** A concrete URL that reaches it. */
  url: string;
}

/** The adapter's own route table, on whichever adapter the suite runs. */
function servedRoutes(app: INestApplication): ServedRoute[] {
  return app.getHttpAdapter().getType() === 'fastify' ? fastifyRoutes(app) : expressRoutes(app);
}

/** find-my-way's tree as Fastify prints it: each line a path segment under its parent, with its methods. */
function fastifyRoutes(app: INestApplication): ServedRoute[] {
  const tree = (app.getHttpAdapter().getInstance() as { printRoutes(o: { commonPrefix: boolean }): string }).printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: ServedRoute[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at === -1) continue;
    const depth = Math.round(at / 4);
    const match = /^(\S+)(?: \(([^)]*)\))?/.exec(line.slice(at + 3))!;
    stack.length = depth;
    // A wildcard child is printed as `*` under its parent's path without the slash between.
    stack.push(match[1] === '*' && !stack.join('').endsWith('/') ? '/*' : match[1]!);
    const pattern = stack.join('');
    const methods = (match[2] ?? '').split(', ').filter((m) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m));
    for (const method of methods) routes.push({ method, pattern, url: concrete(pattern) });
  }
  return routes;
}

/** Express's own table (router 2): every route layer, and the static mounts (Swagger's assets) probed through their matchers. */
function expressRoutes(app: INestApplication): ServedRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router: { stack: Array<{ name: string; route?: { path: string; methods: Record<string, boolean> }; matchers?: Array<(path: string) => unknown> }> } };
  const routes: ServedRoute[] = [];
  const docsPrefixes: string[] = [];
  for (const layer of instance.router.stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m));
    for (const method of methods) routes.push({ method: method.toUpperCase(), pattern: layer.route.path, url: concrete(layer.route.path) });
    if (/docs$/.test(layer.route.path)) docsPrefixes.push(layer.route.path);
  }
  for (const layer of instance.router.stack.filter((l) => !l.route && l.name === 'serveStatic')) {
    for (const prefix of docsPrefixes) {
      const asset = `${prefix}/swagger-ui.css`;
      if (layer.matchers?.some((match) => match(asset))) routes.push({ method: 'GET', pattern: `${prefix}/* (static)`, url: asset });
    }
  }
  return routes;
}

function concrete(pattern: string): string {
  return pattern
    .replace(':model_id', 'fuzz%2Fm0')
    .replace(':job_id', '00000000-0000-4000-8000-000000000000')
    .replace(':file', 'index.html')
    .replace('/v2/models/*path', '/v2/models/fuzz~m0/infer')
    .replace('*path', 'repository/index')
    .replace(/^\/v2\/\*$/, '/v2/models/fuzz~m0/infer')
    .replace(/^\/api\/docs\/\*$/, '/api/docs/swagger-ui.css');
}

/** The spellings a router may accept for one URL: case, trailing slash, doubled slash, percent-encoding, dot segment. */
function spellings(url: string): string[] {
  const [path, query] = url.split('?') as [string, string | undefined];
  const q = query ? `?${query}` : '';
  const segments = path.split('/');
  const last = segments.at(-1)!;
  const encodedFirst = last ? [...segments.slice(0, -1), `%${last.charCodeAt(0).toString(16)}${last.slice(1)}`].join('/') : path;
  return [
    path,
    path.toUpperCase(),
    segments.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('/'),
    `${path}/`,
    `/${path}`,
    path.replace(/^\/([^/]+)\//, '/$1//'),
    encodedFirst,
    path.replace(/^\/([^/]+)\//, '/$1/./'),
  ].filter((p, i, all) => all.indexOf(p) === i).map((p) => `${p}${q}`);
}

/**
 * Issue 19 item 3 (finding 3): one decision for every route the HTTP adapter serves, read
 * from the adapter itself, in every spelling a router may accept: without the token, 401
 * everywhere except the documented probes in their documented spelling.
 */
describe.each(databaseBackends().slice(0, 1))('the token guards every served route, however it is spelled (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let port: number;
  const send = (method: string, path: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(method === 'GET' ? undefined : '{}');
    });

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage, { apiToken: TOKEN });
    await app.listen(0, '127.0.0.1');
    port = Number(new URL((await app.getUrl()).replace('[::1]', '127.0.0.1')).port);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('reads a route table that holds the REST, OIP, OpenAI, probe, dashboard and Swagger routes', () => {
    const patterns = new Set(servedRoutes(app).map((r) => r.pattern));
    const wildcard = app.getHttpAdapter().getType() === 'fastify' ? '/v2/*' : '/v2/models/*path';
    for (const expected of ['/api/v1/models', wildcard, '/v1/embeddings', '/health/live', '/dashboard/:file', '/api/docs-json', '/api/docs']) expect(patterns).toContain(expected);
    expect(servedRoutes(app).length).toBeGreaterThan(40);
  });

  it('answers 401 without the token on every route and spelling, but the documented probes as documented', async () => {
    const opened: string[] = [];
    let tried = 0;
    for (const route of servedRoutes(app)) {
      const isPublic = DOCUMENTED_PUBLIC.has(`${route.method} ${route.pattern}`);
      for (const [i, url] of spellings(route.url).entries()) {
        const res = await send(route.method, url);
        tried++;
        const expectOpen = isPublic && i === 0;
        if (expectOpen ? res.status === 401 : res.status !== 401) opened.push(`${route.method} ${url} (${route.pattern}) → ${res.status} ${res.text.slice(0, 80)}`);
      }
    }
    expect(opened).toEqual([]);
    expect(tried).toBeGreaterThan(300);
  }, 120_000);

  it('answers the 401 in the protocol its path speaks', async () => {
    expect(JSON.parse((await send('POST', '/V2/models/fuzz~m0/infer')).text)).toEqual({ error: 'missing or wrong bearer token' });
    expect(JSON.parse((await send('POST', '/v1/Embeddings')).text)).toEqual({ error: expect.objectContaining({ code: 'invalid_api_key', type: 'authentication_error' }) });
    expect(JSON.parse((await send('GET', '/API/DOCS-JSON')).text)).toEqual({ error_code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' });
  });
});
