import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants as zlib, createDeflate, createGzip, type Deflate, type Gzip } from 'node:zlib';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends, testStorage, type TestStorage } from '../support/databases.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { writeMatMulModel } from '../support/tiny-models.js';

const MIB = 1024 * 1024;
/** The bound the issue sets on what the hostile requests below may add to the server's peak RSS. */
const MAX_PEAK_GROWTH_MB = 200;
const ROUNDS = Number(process.env.HOSTILE_ROUNDS ?? 3);
const TOKEN = 'hostile-token';
const MODEL = 'hostile/matmul'; // x[N, 4] → y[N, 2]

/** 1 GiB of zeros, compressed to about a megabyte, built in chunks so the test itself never holds the gigabyte. */
async function bomb(make: () => Gzip | Deflate, inflated = 1024 * MIB): Promise<Buffer> {
  const z = make();
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => z.on('end', resolve));
  const zeros = Buffer.alloc(MIB, 0x30);
  for (let written = 0; written < inflated; written += MIB) if (!z.write(zeros)) await new Promise((r) => z.once('drain', r));
  z.end();
  await done;
  return Buffer.concat(out);
}

/** VmHWM (peak) and VmRSS of a process, in MiB, from /proc. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { peakMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Issue 19 item 8: compressed bombs, repeated outputs and deep nesting against the real server
 * process, while /health/live is polled. Fails if the server's peak RSS grows by more than
 * 200 MB; prints the live probe's latency (reported, not asserted) and the peak RSS.
 */
describe.each(databaseBackends().slice(0, 1))('hostile resources against the standalone server (%s)', (backend) => {
  let storage: TestStorage;
  let server: ServerProcess;
  let port: number;

  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; text: string }> =>
    new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8', 0, Math.min(300, Buffer.concat(chunks).length)) }));
      });
      // A server that answers 413 before the upload ends may reset the rest: that is an answer too.
      req.on('error', (err) => resolve({ status: 0, text: err.message }));
      req.end(body);
    });

  beforeAll(async () => {
    storage = await testStorage(backend);
    port = freePort();
    server = await startServerProcess({
      ...(storage.options.databaseUrl ? { DATABASE_URL: storage.options.databaseUrl } : {}),
      MODELMORA_DATA_DIR: storage.options.dataDir,
      MODELMORA_MODEL_DIR: storage.options.modelDir,
      MODELMORA_API_TOKEN: TOKEN,
    }, port);
    const path = writeMatMulModel(join(storage.options.modelDir, '..', 'hostile-src'));
    const registered = await send('POST', '/api/v1/models', { 'content-type': 'application/json' }, JSON.stringify({ model_id: MODEL, task_type: 'tensor', source_url: pathToFileURL(path).href, checksum: await fileChecksum(path) }));
    expect(registered.status).toBe(201);
    expect((await send('POST', `/api/v1/models/${encodeURIComponent(MODEL)}/load`, { 'content-type': 'application/json' }, '{}')).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await storage?.cleanup();
  }, 60_000);

  it(`keeps the peak RSS within ${MAX_PEAK_GROWTH_MB} MB of its start and answers every hostile request with a 4xx`, async () => {
    const gzipBomb = await bomb(() => createGzip({ level: 9 }));
    const deflateBomb = await bomb(() => createDeflate({ level: zlib.Z_BEST_COMPRESSION }));
    const honest = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    // 4 MB of request naming its output 150 times: each copy used to be encoded again.
    const rows = 200_000;
    const repeated = JSON.stringify({ inputs: [{ name: 'x', shape: [rows, 4], datatype: 'FP32', data: new Array(rows * 4).fill(1) }], outputs: Array.from({ length: 150 }, () => ({ name: 'y' })) });
    const nested = (depth: number) => `{"model":"${MODEL}","input":${'['.repeat(depth)}1${']'.repeat(depth)},"inputs":[]}`;

    // Warm-up: the honest paths once, so the baseline holds what serving costs anyway.
    for (let i = 0; i < 3; i++) expect((await send('POST', '/v2/models/hostile~matmul/infer', { 'content-type': 'application/json' }, honest)).status).toBe(200);
    const baseline = memoryOf(server.child.pid!);

    const latencies: number[] = [];
    let attacking = true;
    const probe = (async () => {
      while (attacking) {
        const started = performance.now();
        const res = await send('GET', '/health/live', {});
        latencies.push(performance.now() - started);
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const statuses = new Map<string, number>();
    const expectRefused = (name: string, statusesAllowed: number[]) => (res: { status: number; text: string }) => {
      const key = `${name} → ${res.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      // 0: the connection was reset after the 413 was written, while the upload still ran.
    // 503: a bomb refused because others were being read at once (the in-flight body budget).
      expect([name, statusesAllowed.concat(0).includes(res.status) ? 'refused' : `${res.status} ${res.text}`]).toEqual([name, 'refused']);
    };
    const four = <T>(make: () => Promise<T>) => Promise.all([make(), make(), make(), make()]);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        (await four(() => send('POST', '/v2/models/hostile~matmul/infer', { 'content-encoding': 'gzip' }, gzipBomb))).forEach(expectRefused('/v2 gzip bomb, no type', [413, 503]));
        (await four(() => send('POST', '/v2/models/hostile~matmul/infer', { 'content-encoding': 'deflate', 'content-type': 'application/octet-stream', 'inference-header-content-length': '10' }, deflateBomb))).forEach(expectRefused('/v2 deflate bomb, binary', [413, 503]));
        (await four(() => send('POST', '/v1/embeddings', { 'content-encoding': 'gzip', 'content-type': 'application/json' }, gzipBomb))).forEach(expectRefused('/v1 gzip bomb', [413, 503]));
        (await four(() => send('POST', `/api/v1/infer/${encodeURIComponent(MODEL)}`, { 'content-encoding': 'gzip', 'content-type': 'application/json' }, gzipBomb))).forEach(expectRefused('/api/v1 gzip bomb', [413]));
        (await four(() => send('POST', '/v2/models/hostile~matmul/infer', { 'content-type': 'application/json' }, repeated))).forEach(expectRefused('/v2 output named 150 times', [400]));
        for (const depth of [10_000, 1_000_000]) {
          (await four(() => send('POST', '/v2/models/hostile~matmul/infer', { 'content-type': 'application/json' }, nested(depth)))).forEach(expectRefused(`/v2 nested ${depth}`, [400]));
          (await four(() => send('POST', '/v1/embeddings', { 'content-type': 'application/json' }, nested(depth)))).forEach(expectRefused(`/v1 nested ${depth}`, [400]));
          (await four(() => send('POST', '/api/v1/models', { 'content-type': 'application/json' }, nested(depth)))).forEach(expectRefused(`/api/v1 nested ${depth}`, [400]));
        }
        expect((await send('POST', '/v2/models/hostile~matmul/infer', {}, honest)).status).toBe(200);
      }
    } finally {
      attacking = false;
      await probe;
    }
    const after = memoryOf(server.child.pid!);
    const sorted = [...latencies].sort((a, b) => a - b);
    const report = {
      hostile_resources: backend,
      rounds: ROUNDS,
      bombs_compressed_bytes: { gzip: gzipBomb.length, deflate: deflateBomb.length, inflated: 1024 * MIB },
      rss_mb: { baseline_rss: baseline.rssMb, baseline_peak: baseline.peakMb, peak: after.peakMb, peak_growth: after.peakMb - baseline.peakMb, rss_after: after.rssMb },
      live_probe_ms: { probes: sorted.length, p50: +percentile(sorted, 50).toFixed(1), p99: +percentile(sorted, 99).toFixed(1), max: +sorted.at(-1)!.toFixed(1) },
      answers: Object.fromEntries(statuses),
    };
    console.log(JSON.stringify(report));
    expect(after.peakMb - baseline.peakMb).toBeLessThanOrEqual(MAX_PEAK_GROWTH_MB);
    expect((await send('GET', '/health/live', {})).status).toBe(200);
  }, 600_000);
});
