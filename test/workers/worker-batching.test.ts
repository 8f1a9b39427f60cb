import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { ItemResult, TensorMap } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { matmulReference, writeAddModel, writeMatMulModel, writeReshapeModel, writeTransposeModel } from '../support/tiny-models.js';
import { maxAbsDiff, scratchDir, WorkerPool } from './worker-test-helpers.js';

function outputsOf(result: ItemResult | undefined): TensorMap {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.outputs as TensorMap;
}

const rowsOf = (n: number, seed: number) => Array.from({ length: n * 4 }, (_, i) => Math.sin(seed * 31 + i) * 3);

describe('dynamic batching in the tensor runtime', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  let matmul: WorkerProcess;

  beforeAll(async () => {
    writeMatMulModel(join(scratch.dir, 'matmul'));
    writeAddModel(join(scratch.dir, 'add'));
    writeTransposeModel(join(scratch.dir, 'transpose'));
    writeReshapeModel(join(scratch.dir, 'reshape'));
    matmul = await pool.start({ label: 'matmul' });
    await matmul.load({ modelDir: join(scratch.dir, 'matmul'), taskType: 'tensor' });
  });

  afterAll(async () => {
    await pool.stopAll();
    scratch.cleanup();
  });

  it('runs 8 items in one session.run and each result equals its single-item result', async () => {
    const items = Array.from({ length: 8 }, (_, k) => ({ x: { dims: [1, 4], data: rowsOf(1, k) } }));
    const batched = await matmul.infer(items);
    expect(batched.session_runs).toBe(1);
    expect(batched.results).toHaveLength(8);

    for (const [k, item] of items.entries()) {
      const single = await matmul.infer([item]);
      expect(single.session_runs).toBe(1);
      const y = outputsOf(batched.results[k]).y!;
      expect(y).toEqual(outputsOf(single.results[0]).y);
      expect(y.dims).toEqual([1, 2]);
      expect(maxAbsDiff(y.data, matmulReference(item.x.data))).toBeLessThan(1e-5);
    }
  });

  it('splits by each item\'s share of dim 0 and leaves invalid items out of the batch', async () => {
    const items = [
      { x: { dims: [3, 4], data: rowsOf(3, 1) } },
      { x: { dims: [1, 4], data: rowsOf(1, 2) } },
      { x: { dims: [2, 4], data: [1, 2, 3] } }, // invalid: data too short
      { x: { dims: [2, 4], data: rowsOf(2, 3) } },
    ];
    const reply = await matmul.infer(items);
    expect(reply.session_runs).toBe(1);
    expect(reply.results[2]).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    for (const k of [0, 1, 3]) {
      const y = outputsOf(reply.results[k]).y!;
      expect(y.dims).toEqual([items[k]!.x.dims[0], 2]);
      expect(maxAbsDiff(y.data, matmulReference(items[k]!.x.data))).toBeLessThan(1e-5);
    }
  });

  it('batches a two-input model when the inputs agree on dim 0', async () => {
    const add = await pool.start({ label: 'add' });
    await add.load({ modelDir: join(scratch.dir, 'add'), taskType: 'tensor' });
    const item = (n: number, base: number) => ({
      a: { dims: [n, 3], data: Array.from({ length: n * 3 }, (_, i) => base + i) },
      b: { dims: [n, 3], data: Array.from({ length: n * 3 }, () => 100) },
    });
    const mismatched = { a: { dims: [1, 3], data: [1, 2, 3] }, b: { dims: [2, 3], data: [1, 2, 3, 4, 5, 6] } };
    const reply = await add.infer([item(1, 0), item(2, 10), mismatched]);
    // The two compatible items share one run; the one whose inputs disagree (Add broadcasts it) runs alone.
    expect(reply.session_runs).toBe(2);
    expect(outputsOf(reply.results[0]).sum).toEqual({ dims: [1, 3], type: 'float32', data: [100, 101, 102] });
    expect(outputsOf(reply.results[1]).sum!.data).toEqual([110, 111, 112, 113, 114, 115]);
    expect(outputsOf(reply.results[2]).sum).toEqual({ dims: [2, 3], type: 'float32', data: [2, 4, 6, 5, 7, 9] });
  });

  it('falls back to one run per item when an output does not split along the batch', async () => {
    const worker = await pool.start({ label: 'reshape' });
    const meta = await worker.load({ modelDir: join(scratch.dir, 'reshape'), taskType: 'tensor' });
    expect(meta.outputs).toEqual([{ name: 'y', type: 'float32', dims: [-1, 2] }]);
    const reply = await worker.infer([{ x: { dims: [1, 4], data: [1, 2, 3, 4] } }, { x: { dims: [1, 4], data: [5, 6, 7, 8] } }]);
    // One batched attempt (y came back [4, 2]: dim 0 is not 1 + 1) plus one run per item.
    expect(reply.session_runs).toBe(3);
    expect(outputsOf(reply.results[0]).y).toEqual({ dims: [2, 2], type: 'float32', data: [1, 2, 3, 4] });
    expect(outputsOf(reply.results[1]).y).toEqual({ dims: [2, 2], type: 'float32', data: [5, 6, 7, 8] });
  });

  it('does not batch when an output\'s first dim is another named axis', async () => {
    const worker = await pool.start({ label: 'transpose' });
    const meta = await worker.load({ modelDir: join(scratch.dir, 'transpose'), taskType: 'tensor' });
    expect(meta.outputs).toEqual([{ name: 'y', type: 'float32', dims: ['M', 'N'] }]);
    // Batched, two [1, 2] items would give y [2, 2]: dim 0 equals 1 + 1 by accident, yet it is M, not the batch.
    const reply = await worker.infer([{ x: { dims: [1, 2], data: [1, 2] } }, { x: { dims: [1, 2], data: [3, 4] } }]);
    expect(reply.session_runs).toBe(2);
    expect(outputsOf(reply.results[0]).y).toEqual({ dims: [2, 1], type: 'float32', data: [1, 2] });
    expect(outputsOf(reply.results[1]).y).toEqual({ dims: [2, 1], type: 'float32', data: [3, 4] });
  });

  it('runs items one by one when dynamic batching is switched off', async () => {
    const worker = await pool.start();
    await worker.load({ modelDir: join(scratch.dir, 'matmul'), taskType: 'tensor', runtimeOptions: { dynamicBatching: false } });
    const items = Array.from({ length: 8 }, (_, k) => ({ x: { dims: [1, 4], data: rowsOf(1, k) } }));
    const reply = await worker.infer(items);
    expect(reply.session_runs).toBe(8);
    items.forEach((item, k) => expect(maxAbsDiff(outputsOf(reply.results[k]).y!.data, matmulReference(item.x.data))).toBeLessThan(1e-5));
  });
});
