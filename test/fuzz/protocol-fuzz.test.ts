import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { databaseBackends } from '../support/databases.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeIdentityModel, writeMatMulModel, writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { registerModel, startListeningApp } from '../oip/support/oip-app.js';
import { oipRequests, openAiRequests, type ProtocolRequest } from './protocol-requests.js';

// /v2 and /v1 are not in the served OpenAPI document, so they get generators of their own:
// JSON, binary and compressed bodies, mutated and hostile. Passes when no answer is a 500,
// every failure speaks its protocol's error shape, and the server stays live. At least 1,000
// requests per surface (FUZZ_PROTOCOL_RUNS); FUZZ_TRACE=1 prints each request and answer.
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_PROTOCOL_RUNS ?? 1000);
const TOKEN = 'protocol-fuzz-token';
const HANG_MS = 20_000;
const TENSOR_MODELS = ['pfuzz/matmul', 'pfuzz/strings', 'pfuzz/unloaded'];
const EMBED_MODEL = 'pfuzz/embed';

/** What is wrong with an error body in this protocol's shape, or undefined. */
function shapeFault(surface: 'oip' | 'openai', status: number, body: unknown): string | undefined {
  const b = body as Record<string, any> | undefined;
  if (surface === 'oip') return b && typeof b.error === 'string' && Object.keys(b).every((k) => ['error', 'name', 'ready'].includes(k)) ? undefined : `${status} is not OIP's {"error": "..."}`;
  const e = b?.error as Record<string, unknown> | undefined;
  return e && typeof e.message === 'string' && typeof e.type === 'string' && typeof e.code === 'string' ? undefined : `${status} is not OpenAI's {"error": {message, type, code}}`;
}

describe.each(databaseBackends())('fuzzing the standard protocols /v2 and /v1 (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let port: number;
  const statuses = { oip: new Map<string, number>(), openai: new Map<string, number>() };
  const sent = { oip: 0, openai: 0 };

  const send = (req: ProtocolRequest, auth: boolean): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const headers = { ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}), ...(req.body ? { 'content-length': String(req.body.length) } : {}), ...req.headers };
      const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, timeout: HANG_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // A binary answer's JSON is its first Inference-Header-Content-Length bytes.
        const jsonLength = Number(res.headers['inference-header-content-length'] ?? Number.NaN);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, text: raw.toString('utf8', 0, Number.isSafeInteger(jsonLength) ? jsonLength : raw.length) });
        });
      });
      r.on('timeout', () => r.destroy(new Error(`no answer in ${HANG_MS} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });

  beforeAll(async () => {
    storage = await testStorage(backend);
    let baseUrl: string;
    ({ app, baseUrl } = await startListeningApp(storage, { apiToken: TOKEN, maxOutputMb: 1, jobMaxRetries: 0, reloadMaxAttempts: 1, maxBatchWaitMs: 1 }));
    port = Number(new URL(baseUrl).port);
    const dir = storage.options.modelDir;
    await registerModel(baseUrl, TENSOR_MODELS[0]!, 'tensor', writeMatMulModel(join(dir, 'src-matmul')), false, TOKEN);
    await registerModel(baseUrl, TENSOR_MODELS[1]!, 'tensor', writeIdentityModel(join(dir, 'src-strings'), 'string', ['N']), false, TOKEN);
    await registerModel(baseUrl, TENSOR_MODELS[2]!, 'tensor', writeMatMulModel(join(dir, 'src-unloaded')), false, TOKEN);
    await registerModel(baseUrl, EMBED_MODEL, 'txt2embed', writeTxt2EmbedFolder(join(dir, 'src-embed')), true, TOKEN);
    for (const id of [TENSOR_MODELS[0]!, TENSOR_MODELS[1]!, EMBED_MODEL]) {
      const load = await send({ method: 'POST', path: `/api/v1/models/${encodeURIComponent(id)}/load`, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), label: 'load' }, true);
      expect([id, load.status]).toEqual([id, 200]);
    }
  }, 120_000);

  afterAll(async () => {
    const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort());
    console.log(JSON.stringify({ protocol_fuzz: backend, seed: SEED, requests: sent, statuses: { oip: sorted(statuses.oip), openai: sorted(statuses.openai) } }));
    await app?.close();
    await storage?.cleanup();
  }, 120_000);

  async function judge(surface: 'oip' | 'openai', req: ProtocolRequest, auth: boolean): Promise<string | undefined> {
    let res: { status: number; text: string };
    try {
      res = await send(req, auth);
    } catch (err) {
      return `no answer (${(err as Error).message}): a hang or a dropped connection`;
    }
    sent[surface]++;
    if (process.env.FUZZ_TRACE) console.log(`${surface} ${req.method} ${req.path.slice(0, 120)} ${req.label.slice(0, 160)} → ${res.status} ${res.text.slice(0, 160)}`);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return `${res.status} is not JSON: ${res.text.slice(0, 200)}`;
    }
    const key = `${res.status}${res.status >= 400 && surface === 'openai' ? ` ${String((body as any)?.error?.code)}` : ''}`;
    statuses[surface].set(key, (statuses[surface].get(key) ?? 0) + 1);
    if (res.status >= 400) {
      const fault = shapeFault(surface, res.status, body);
      if (fault) return `${fault}: ${res.text.slice(0, 200)}`;
    }
    // 503/504 are documented (a full queue, a timeout); a 500 is the server's own fault.
    if (res.status === 500 || res.status > 504) return `${res.status} ${res.text.slice(0, 300)}`;
    return undefined;
  }

  it.each([
    ['oip', '/v2'],
    ['openai', '/v1'],
  ] as const)(`%s: ${RUNS} requests on %s, no 500, every failure in the protocol's own shape`, async (surface, _prefix) => {
    const requests = surface === 'oip' ? oipRequests(TENSOR_MODELS) : openAiRequests([EMBED_MODEL, TENSOR_MODELS[0]!, 'pfuzz/none']);
    await fc.assert(
      fc.asyncProperty(requests, fc.integer({ min: 0, max: 19 }), async (req, authDice) => {
        const fault = await judge(surface, req, authDice !== 0);
        if (fault) throw new Error(`${req.method} ${req.path.slice(0, 200)} [${req.label.slice(0, 400)}]\n→ ${fault}`);
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        endOnFailure: true,
        reporter: (run) => {
          if (run.failed) throw new Error(`protocol fuzz failed on ${backend} (${surface}) with seed ${SEED} after ${run.numRuns} requests (rerun: FUZZ_SEED=${SEED}):\n${String((run.errorInstance as Error | undefined)?.message ?? run.errorInstance).slice(0, 2000)}`);
        },
      },
    );
    expect(sent[surface]).toBeGreaterThanOrEqual(RUNS);
    expect((await send({ method: 'GET', path: '/health/live', headers: {}, label: 'live' }, false)).status).toBe(200);
  }, 600_000);
});
