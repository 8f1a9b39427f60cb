import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { writeMatMulModel } from '../support/tiny-models.js';
import { writeExpandModel } from './fixtures/expand-model.js';
import { scratchDir, WorkerPool } from './worker-test-helpers.js';

const procStatus = (pid: number, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const procEnviron = (pid: number): Record<string, string> =>
  Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

describe('worker processes hold no more than they need', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  const secrets = { DATABASE_URL: 'postgres://app:hunter2@db/modelmora', MODELMORA_API_TOKEN: 'tok-123', KAFKA_SASL_PASSWORD: 'kafka-pw' };

  beforeAll(() => {
    writeMatMulModel(join(scratch.dir, 'matmul'));
    writeExpandModel(join(scratch.dir, 'expand'));
  });
  afterEach(() => pool.stopAll());
  afterAll(() => scratch.cleanup());

  it('starts workers with a minimal environment: no database URL, token or Kafka password', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, secrets);
    let pid: number;
    try {
      const worker = await pool.start({ label: 'env' });
      await worker.load({ modelDir: join(scratch.dir, 'matmul'), taskType: 'tensor' });
      expect((await worker.infer([{ x: { dims: [1, 4], data: [1, 0, 0, 0] } }])).results[0]).toMatchObject({ ok: true });
      pid = worker.pid!;
    } finally {
      for (const k of Object.keys(secrets)) if (saved[k] === undefined) delete process.env[k];
    }
    const env = procEnviron(pid);
    for (const name of Object.keys(secrets)) expect(env).not.toHaveProperty(name);
    expect(Object.values(env).join('\n')).not.toMatch(/hunter2|tok-123|kafka-pw/);
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('fails an item whose output is over the limit inside the worker, and keeps serving', async () => {
    const worker = await pool.start({ label: 'expand' });
    await worker.load({ modelDir: join(scratch.dir, 'expand'), taskType: 'tensor', runtimeOptions: { maxOutputBytes: 1024 * 1024 } });
    const ask = (rows: number, cols: number) => ({ x: { dims: [1], data: [7] }, shape: { dims: [2], type: 'int64' as const, data: [rows, cols] } });

    const reply = await worker.infer([ask(1000, 1000), ask(2, 3)]);

    expect(reply.results[0]).toEqual({ ok: false, error: { code: 'OUTPUT_TOO_LARGE', message: expect.stringMatching(/output is 4000000 bytes, over the per-request limit of 1048576 bytes \(MODELMORA_MAX_OUTPUT_MB\)/) } });
    expect(reply.results[1]).toEqual({ ok: true, outputs: { y: { dims: [2, 3], type: 'float32', data: [7, 7, 7, 7, 7, 7] } } });
    expect(worker.running).toBe(true);
  });

  it('caps cpu_threads at the machine\'s cores', async () => {
    const worker = await pool.start({ label: 'threads' });
    await worker.load({ modelDir: join(scratch.dir, 'matmul'), taskType: 'tensor', runtimeOptions: { intraOpNumThreads: 5_000 } });
    expect((await worker.infer([{ x: { dims: [1, 4], data: [1, 0, 0, 0] } }])).results[0]).toMatchObject({ ok: true });
    // Node's own threads (libuv pool, V8 platform) plus at most one ORT thread per core.
    expect(procStatus(worker.pid!, 'Threads')).toBeLessThan(40 + availableParallelism());
  });
});
