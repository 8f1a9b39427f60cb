import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { databaseBackends } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { registerModel, startListeningApp } from '../oip/support/oip-app.js';

const MODEL = 'edge/matmul'; // x[N, 4] → y[N, 2]
const MIB = 1024 * 1024;
const ALLOWED_ORIGIN = 'https://app.example.com';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/**
 * Issue 19, findings 1, 5, 8, 11 and 13 on the standalone server: bodies are bounded after
 * decompression, /v2 and /v1 pass the edge guard, cross-site writes and rebinding hosts are
 * refused, and each protocol answers every failure in its own shape.
 */
describe.each(databaseBackends().slice(0, 1))('the HTTP edge of the standalone server (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let port: number;

  /** node:http rather than fetch: the test must choose Host, Origin and Content-Type freely. */
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch { /* not JSON: kept as text */ }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const json = (value: unknown) => JSON.stringify(value);
  const infer = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] };
  /** A body of `inflated` bytes of JSON-looking zeros, compressed to a few kB. */
  const bomb = (inflated: number, encode: (b: Buffer) => Buffer = gzipSync) => encode(Buffer.alloc(inflated, 0x30));

  beforeAll(async () => {
    storage = await testStorage(backend);
    let baseUrl: string;
    ({ app, baseUrl } = await startListeningApp(storage, { httpEdge: { allowedOrigins: [ALLOWED_ORIGIN], allowedHosts: ['models.internal'] } }));
    port = Number(new URL(baseUrl).port);
    await registerModel(baseUrl, MODEL, 'tensor', writeMatMulModel(join(storage.options.modelDir, 'src-matmul')));
    expect((await send('POST', `/api/v1/models/${encodeURIComponent(MODEL)}/load`, { 'content-type': 'application/json' }, '{}')).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  describe('bounded before the work', () => {
    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const)('refuses a %s bomb with 413 after inflating no more than the limit, in each protocol’s shape', async (encoding, encode) => {
      const oip = await send('POST', `/v2/models/edge~matmul/infer`, { 'content-encoding': encoding }, bomb(65 * MIB, encode));
      expect([oip.status, oip.body]).toEqual([413, { error: expect.stringContaining('larger than 67108864 bytes (after decompression)') }]);
      const openai = await send('POST', '/v1/embeddings', { 'content-encoding': encoding, 'content-type': 'application/json' }, bomb(65 * MIB, encode));
      expect([openai.status, openai.body.error]).toEqual([413, expect.objectContaining({ code: 'payload_too_large', type: 'invalid_request_error' })]);
      const rest = await send('POST', '/api/v1/models', { 'content-encoding': encoding, 'content-type': 'application/json' }, bomb(17 * MIB, encode));
      expect([rest.status, rest.body.error_code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      expect((await send('GET', '/health/live')).status).toBe(200);
    });

    it('still inflates an honest compressed request', async () => {
      const res = await send('POST', '/v2/models/edge~matmul/infer', { 'content-encoding': 'gzip' }, gzipSync(json(infer)));
      expect([res.status, res.body.outputs?.[0]?.shape]).toEqual([200, [1, 2]]);
    });

    it.each([
      ['nesting 10,000 deep', `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":${'['.repeat(10_000)}1${']'.repeat(10_000)}}]}`, 'body nests deeper than 256 levels (at most 32 are accepted)'],
      ['nesting 100 deep', `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":${'['.repeat(100)}1${']'.repeat(100)}}]}`, 'body.inputs[0].data[0][0]'],
      ['1e400', '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1e400,2,3,4]}]}', 'body.inputs[0].data[0] is not a finite number'],
      ['a lone surrogate', '{"inputs":[{"name":"x\\ud800","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}', 'lone UTF-16 surrogate'],
      ['a NUL in a string', '{"id":"a\\u0000b","inputs":[]}', 'NUL'],
    ])('refuses %s on /v2 and /v1 with 400 before any other check', async (_name, body, problem) => {
      const oip = await send('POST', '/v2/models/edge~matmul/infer', { 'content-type': 'application/json' }, body);
      expect([oip.status, oip.body.error]).toEqual([400, expect.stringContaining(problem)]);
      const openai = await send('POST', '/v1/embeddings', { 'content-type': 'application/json' }, body);
      expect([openai.status, openai.body.error?.message]).toEqual([400, expect.stringContaining(problem)]);
    });

    it('answers an event stream from position 1e300 with 400, never an error frame (finding 11)', async () => {
      const res = await send('GET', '/api/v1/events/stream?after_position=1e300');
      expect([res.status, res.body.error_code]).toEqual([400, 'VALIDATION_ERROR']);
    });
  });

  describe('cross-origin safety', () => {
    it('refuses a no-type Blob POST from a foreign Origin with 403, and runs nothing', async () => {
      const jobs = async () => ((await send('GET', `/api/v1/jobs?model_id=${encodeURIComponent(MODEL)}&page_size=200`)).body.items as unknown[]).length;
      const before = await jobs();
      // What `fetch(url, {method: 'POST', mode: 'no-cors', body: new Blob([json])})` sends from any web page.
      const res = await send('POST', '/v2/models/edge~matmul/infer', { origin: 'https://evil.example' }, json(infer));
      expect([res.status, res.body]).toEqual([403, { error: 'requests from origin "https://evil.example" are not allowed (MODELMORA_ALLOWED_ORIGINS)' }]);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const rest = await send('POST', `/api/v1/infer/${encodeURIComponent(MODEL)}`, { origin: 'null', 'content-type': 'application/json' }, json({ inputs: { x: { dims: [1, 4], data: [1, 2, 3, 4] } } }));
      expect([rest.status, rest.body.error_code]).toEqual([403, 'FORBIDDEN_ORIGIN']);
      // Sync jobs are recorded write-behind: a later accepted job on record means a refused one would be too.
      const ok = await send('POST', '/v2/models/edge~matmul/infer', {}, json(infer));
      expect(ok.status).toBe(200);
      await eventually(async () => (await jobs()) === before + 1, 'the accepted job on record');
    });

    it('serves an allowed Origin with CORS, preflight included, and the same origin without it', async () => {
      const preflight = await send('OPTIONS', '/v2/models/edge~matmul/infer', { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': ALLOWED_ORIGIN, 'access-control-allow-methods': expect.stringContaining('POST'), 'access-control-allow-headers': expect.stringContaining('Authorization') });
      const res = await send('POST', '/v2/models/edge~matmul/infer', { origin: ALLOWED_ORIGIN, 'content-type': 'application/json' }, json(infer));
      expect([res.status, res.headers['access-control-allow-origin'], res.headers.vary]).toEqual([200, ALLOWED_ORIGIN, 'Origin']);
      const foreignPreflight = await send('OPTIONS', '/v2/models/edge~matmul/infer', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
      expect(foreignPreflight.status).toBe(403);
      const same = await send('POST', '/v2/models/edge~matmul/infer', { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }, json(infer));
      expect(same.status).toBe(200);
      // Reading across origins is the browser's to refuse: a foreign GET goes through without CORS headers.
      const read = await send('GET', '/v2/models/edge~matmul', { origin: 'https://evil.example' });
      expect([read.status, read.headers['access-control-allow-origin']]).toEqual([200, undefined]);
    });

    it.each([
      ['/v2/models/edge~matmul/infer', 'text/plain', 415],
      ['/v2/models/edge~matmul/infer', 'application/x-www-form-urlencoded', 415],
      ['/v2/models/edge~matmul/infer', 'multipart/form-data; boundary=x', 415],
      ['/v2/models/edge~matmul/infer', 'application/octet-stream', 200],
      ['/v2/models/edge~matmul/infer', 'application/json; charset=utf-8', 200],
      ['/v1/embeddings', 'text/plain', 415],
      ['/v1/embeddings', 'application/octet-stream', 415],
    ])('%s with Content-Type %s → %d', async (path, type, status) => {
      const res = await send('POST', path, { 'content-type': type }, path.startsWith('/v2') ? json(infer) : json({ model: MODEL, input: 'hi' }));
      expect(res.status).toBe(status);
      if (status === 415) expect(JSON.stringify(res.body)).toContain('is not accepted here');
    });

    it('refuses a Host that is neither loopback nor allowed while listening on loopback, except on the health probes', async () => {
      const rebound = await send('GET', '/api/v1/models', { host: `rebind.evil.example:${port}` });
      expect([rebound.status, rebound.body.error_code]).toEqual([403, 'FORBIDDEN_HOST']);
      const oip = await send('GET', '/v2/models/edge~matmul', { host: 'rebind.evil.example' });
      expect([oip.status, Object.keys(oip.body)]).toEqual([403, ['error']]);
      for (const host of [`localhost:${port}`, `[::1]:${port}`, 'app.localhost', 'models.internal', 'MODELS.INTERNAL:8000']) {
        expect([host, (await send('GET', '/api/v1/models', { host })).status]).toEqual([host, 200]);
      }
      for (const probe of ['/health/live', '/health/ready', '/v2/health/live', '/v2/health/ready']) {
        expect([probe, (await send('GET', probe, { host: '10.1.2.3:8000' })).status]).toEqual([probe, 200]);
      }
    });
  });

  describe('headers and error shapes', () => {
    it('answers a URL whose percent-encoding does not decode in the protocol its path speaks (Fastify refuses it in its router)', async () => {
      const oip = await send('POST', '/v2/models/%E0%A4%A/infer', { 'content-type': 'application/json' }, json(infer));
      expect([oip.status, Object.keys(oip.body)]).toEqual([400, ['error']]);
      const rest = await send('GET', '/api/v1/models/%E0%A4%A');
      expect([rest.status, rest.body.error_code]).toEqual([400, expect.stringMatching(/VALIDATION_ERROR|INVALID_MODEL_ID/)]);
    });

    it('sends nosniff and frame denial, frame-ancestors on the dashboard, and no X-Powered-By', async () => {
      const api = await send('GET', '/api/v1/models');
      expect(api.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
      expect(api.headers['x-powered-by']).toBeUndefined();
      const dashboard = await send('GET', '/dashboard');
      expect(dashboard.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(dashboard.headers['x-powered-by']).toBeUndefined();
    });

    it.each([
      ['malformed JSON', 'POST', '{"inputs": [', 400],
      ['an unknown route', 'GET', undefined, 404],
    ])('answers %s in each protocol’s own shape', async (_name, method, body, status) => {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      const oip = await send(method, method === 'POST' ? '/v2/models/edge~matmul/infer' : '/v2/nothing/here', headers, body);
      expect([oip.status, Object.keys(oip.body)]).toEqual([status, ['error']]);
      expect(typeof oip.body.error).toBe('string');
      const openai = await send(method, method === 'POST' ? '/v1/embeddings' : '/v1/nothing', headers, body);
      expect([openai.status, openai.body.error]).toEqual([status, expect.objectContaining({ message: expect.any(String), type: 'invalid_request_error', code: expect.any(String) })]);
      const rest = await send(method, method === 'POST' ? '/api/v1/models' : '/api/v1/nothing', headers, body);
      expect([rest.status, rest.body]).toEqual([status, expect.objectContaining({ error_code: expect.any(String), message: expect.any(String) })]);
    });
  });
});
