// Sync inference throughput and latency on a tiny real model (libonnx-testdata
// node/test_matmul_2d), through the whole standalone app over HTTP: group-committed
// queue, real worker process, PGlite (or PostgreSQL with DATABASE_URL).
//
//   npm run build && node test/inference/support/sync-inference-bench.mjs
//
// Prints one JSON line per concurrency level: jobs/s, p50/p99 latency (ms), and the
// transactions (queue flushes) that served them. Not a test: no assertions.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const { createServer } = await import(pathToFileURL(join(ROOT, 'dist/src/bootstrap.js')).href);
const { AggregateRepository } = await import(pathToFileURL(join(ROOT, 'dist/src/shared/event-sourcing/aggregate-repository.js')).href);

const LEVELS = [[1, 1000], [32, 4000]];
const testdata = process.env.MODELMORA_TESTDATA_DIR ?? join(ROOT, '.cache/libonnx-testdata');
const modelPath = join(testdata, 'usr/share/libonnx-testdata/data/node/test_matmul_2d/model.onnx');
if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: run the e2e suites once (they fetch libonnx-testdata)`);
const checksum = `sha256:${createHash('sha256').update(readFileSync(modelPath)).digest('hex')}`;

const dir = mkdtempSync(join(tmpdir(), 'modelmora-bench-'));
const app = await createServer({ dataDir: join(dir, 'data'), modelDir: join(dir, 'models'), databaseUrl: process.env.DATABASE_URL }, 'warn');
await app.listen(0, '127.0.0.1');
const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// Count queue flushes (one transaction each) to show the group commit at work.
const repository = app.get(AggregateRepository);
const save = repository.save.bind(repository);
let flushes = 0;
repository.save = (...args) => {
  flushes++;
  return save(...args);
};

const registered = await post('/api/v1/models', { model_id: 'bench/matmul', task_type: 'tensor', source_url: pathToFileURL(modelPath).href, checksum });
if (registered.status !== 201) throw new Error(await registered.text());
const inputs = {
  a: { dims: [3, 4], data: Array.from({ length: 12 }, (_, i) => i / 7) },
  b: { dims: [4, 3], data: Array.from({ length: 12 }, (_, i) => i / 5) },
};
const once = async () => {
  const t = performance.now();
  const res = await post(`/api/v1/infer/${encodeURIComponent('bench/matmul')}`, { inputs });
  if (res.status !== 200) throw new Error(await res.text());
  await res.json();
  return performance.now() - t;
};
const at = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

for (let i = 0; i < 200; i++) await once(); // lazy load, JIT, caches
for (const [concurrency, total] of LEVELS) {
  const latencies = [];
  let started = 0;
  flushes = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started++ < total) latencies.push(await once());
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((x, y) => x - y);
  console.log(JSON.stringify({
    database: process.env.DATABASE_URL ? 'postgresql' : 'pglite', concurrency, jobs: latencies.length,
    jobs_per_s: Math.round(latencies.length / seconds), p50_ms: +at(latencies, 50).toFixed(1), p99_ms: +at(latencies, 99).toFixed(1),
    // Each job is three events (submitted, started, completed).
    flushes, events_per_flush: +((latencies.length * 3) / flushes).toFixed(2),
  }));
}
await app.close();
rmSync(dir, { recursive: true, force: true });
