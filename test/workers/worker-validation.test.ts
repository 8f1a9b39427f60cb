import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { WorkerRequestError } from '../../src/lifecycle/infrastructure/workers/worker-errors.js';
import type { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { InferenceInput, ItemResult } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { writeIdentityModel } from '../support/tiny-models.js';
import { scratchDir, WorkerPool } from './worker-test-helpers.js';

function errorOf(result: ItemResult | undefined): { code: string; message: string } {
  if (!result || result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('worker input validation (identity model x: float32 [2, 3])', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  let worker: WorkerProcess;
  const valid = { x: { dims: [2, 3], type: 'float32' as const, data: [1, 2, 3, 4, 5, 6] } };

  beforeAll(async () => {
    writeIdentityModel(join(scratch.dir, 'identity'));
    worker = await pool.start({ label: 'identity' });
    await worker.load({ modelDir: join(scratch.dir, 'identity'), taskType: 'tensor' });
  });

  afterAll(async () => {
    await pool.stopAll();
    scratch.cleanup();
  });

  it.each<[string, InferenceInput, RegExp]>([
    ['an unknown input name', { z: valid.x }, /unknown input\(s\) z; model inputs are x/],
    ['a missing input', {}, /missing input 'x'/],
    ['a wrong data length', { x: { dims: [2, 3], data: [1, 2, 3] } }, /data has 3 elements but dims need 6/],
    ['a wrong fixed dim', { x: { dims: [3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] } }, /dim 0 must be 2/],
    ['a wrong rank', { x: { dims: [6], data: [1, 2, 3, 4, 5, 6] } }, /expected rank 2/],
    ['a wrong type', { x: { dims: [2, 3], type: 'int32', data: [1, 2, 3, 4, 5, 6] } }, /model expects type float32, got int32/],
    ['an unsupported type', { x: { dims: [2, 3], type: 'complex' as never, data: [1, 2, 3, 4, 5, 6] } }, /unsupported type complex/],
    ['non-numeric data', { x: { dims: [2, 3], data: [1, 2, 3, 4, 5, 'six' as never] } }, /data\[5\] is not a number/],
    ['text instead of tensors', 'hello', /tensor models take/],
  ])('rejects %s with INVALID_INPUT and keeps serving', async (_, item, message) => {
    const pid = worker.pid;
    const reply = await worker.infer([item]);
    const error = errorOf(reply.results[0]);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
    expect(reply.session_runs).toBe(0);

    const after = await worker.infer([valid]);
    expect(after.results[0]).toEqual({ ok: true, outputs: { y: { dims: [2, 3], type: 'float32', data: [1, 2, 3, 4, 5, 6] } } });
    expect(worker.pid).toBe(pid);
    expect(worker.running).toBe(true);
  });

  it('answers invalid and valid items of one batch separately', async () => {
    const reply = await worker.infer([valid, { x: { dims: [2, 3], data: [] } }, valid]);
    expect(reply.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(errorOf(reply.results[1]).code).toBe('INVALID_INPUT');
  });

  it('refuses a second load and an unknown task type with LOAD_FAILED', async () => {
    const again = worker.load({ modelDir: join(scratch.dir, 'identity'), taskType: 'tensor' });
    await expect(again).rejects.toMatchObject({ name: 'WorkerRequestError', code: 'LOAD_FAILED' });

    const fresh = await pool.start();
    const wrongTask = fresh.load({ modelDir: join(scratch.dir, 'identity'), taskType: 'txt2img' });
    await expect(wrongTask).rejects.toThrow(WorkerRequestError);
    await expect(wrongTask).rejects.toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('runtime onnx cannot serve task type txt2img') });
    const missing = fresh.load({ modelDir: join(scratch.dir, 'nowhere'), taskType: 'tensor' });
    await expect(missing).rejects.toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('does not exist') });
    await expect(fresh.infer([valid])).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
    expect((await fresh.ping()).rss_mb).toBeGreaterThan(0);
  });

  it('round-trips int64 and bool tensors', async () => {
    const int64 = await pool.start();
    writeIdentityModel(join(scratch.dir, 'identity-int64'), 'int64', ['N']);
    await int64.load({ modelDir: join(scratch.dir, 'identity-int64'), taskType: 'tensor' });
    const big = [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, 42];
    const reply = await int64.infer([{ x: { dims: [4], type: 'int64', data: big } }, { x: { dims: [1], type: 'int64', data: [1.5] } }]);
    expect(reply.results[0]).toEqual({ ok: true, outputs: { y: { dims: [4], type: 'int64', data: big } } });
    expect(errorOf(reply.results[1]).message).toMatch(/not a valid int64/);

    const bool = await pool.start();
    writeIdentityModel(join(scratch.dir, 'identity-bool'), 'bool', [3]);
    await bool.load({ modelDir: join(scratch.dir, 'identity-bool'), taskType: 'tensor' });
    const boolReply = await bool.infer([{ x: { dims: [3], type: 'bool', data: [true, 0, 1] } }]);
    expect(boolReply.results[0]).toEqual({ ok: true, outputs: { y: { dims: [3], type: 'bool', data: [true, false, true] } } });
  });
});
