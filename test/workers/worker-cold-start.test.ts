import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { scratchDir } from './worker-test-helpers.js';

const RUNS = 10;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// A measurement, not a benchmark gate: numbers are printed, never asserted.
describe('worker cold start (tiny MatMul model)', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.cleanup());

  it(`measures fork → ready → load over ${RUNS} runs`, async () => {
    const modelDir = join(scratch.dir, 'matmul');
    writeMatMulModel(modelDir);
    const ready: number[] = [];
    const loaded: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const worker = new WorkerProcess({ label: `cold-${i}` });
      const t0 = performance.now();
      await worker.start();
      const t1 = performance.now();
      await worker.load({ modelDir, taskType: 'tensor' });
      const t2 = performance.now();
      ready.push(t1 - t0);
      loaded.push(t2 - t0);
      rss.push(await worker.rssMb());
      await worker.shutdown();
    }
    const fmt = (v: number) => v.toFixed(0);
    console.log(
      `worker cold start over ${RUNS} runs (from TypeScript sources via tsx): ` +
        `median fork→ready ${fmt(median(ready))} ms, fork→loaded ${fmt(median(loaded))} ms ` +
        `(min ${fmt(Math.min(...loaded))}, max ${fmt(Math.max(...loaded))}); ` +
        `RSS after load median ${median(rss).toFixed(1)} MB`,
    );
    expect(rss.every((r) => r > 0)).toBe(true);
  }, 180_000);
});
