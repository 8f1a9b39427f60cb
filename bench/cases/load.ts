/**
 * Cold model load (spawn a worker + create the ONNX session, with the lifecycle's events
 * and checks around it) and unload through the HTTP API, against WorkerProcess
 * start+load / shutdown called directly; and the server's memory over load/unload
 * cycles: RSS right after a forced full GC (the server runs with --expose-gc and the
 * bench's gc-on-signal preload, nothing in src/) at several cycle counts, reported as
 * the least-squares slope in MB per 100 cycles, so one noisy sample cannot make or hide a leak.
 */
import { startAppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { median, result, withTarget, type BenchResult } from '../support/stats.js';
import { loadModel, registerModel, unloadModel } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul-load';
/** RSS after GC is sampled at these cycle counts; --quick halves them to stay near 3 minutes in all (~0.3 s a cycle). */
const SAMPLE_AT = [100, 200, 300];
const QUICK_SAMPLE_AT = [50, 100, 150];
const WARMUP_CYCLES = 5;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

export const loadCase: BenchCase = {
  name: 'load',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const directEvery = ctx.quick ? 15 : 4;
    const sampleAt = ctx.quick ? QUICK_SAMPLE_AT : SAMPLE_AT;
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('load'), exposeGc: true });
    try {
      const http = server.http;
      await registerModel(http, ctx.model, MODEL_ID);
      for (let i = 0; i < WARMUP_CYCLES; i++) {
        await loadModel(http, MODEL_ID); // the first also copies the files into the model cache
        await unloadModel(http, MODEL_ID);
      }
      const rssStart = await server.rssAfterGcMb();
      const samples: { x: number; y: number }[] = [];
      const loads: number[] = [];
      const unloads: number[] = [];
      const directLoads: number[] = [];
      const directUnloads: number[] = [];
      const cycles = sampleAt[sampleAt.length - 1]!;
      for (let i = 1; i <= cycles; i++) {
        loads.push(await timed(() => loadModel(http, MODEL_ID)));
        unloads.push(await timed(() => unloadModel(http, MODEL_ID)));
        if (i % directEvery === 0) {
          // Interleaved so both see the same machine load.
          const worker = new ctx.app.worker.WorkerProcess({ label: 'bench-direct', onOutput: () => undefined });
          directLoads.push(await timed(async () => {
            await worker.start();
            await worker.load({ modelDir: ctx.model.dir, taskType: 'tensor', runtimeOptions: { intraOpNumThreads: 1 } });
          }));
          directUnloads.push(await timed(() => worker.shutdown()));
        }
        if (sampleAt.includes(i)) {
          samples.push({ x: i, y: await server.rssAfterGcMb() });
          ctx.log(`  ${i} cycles: load p50 ${median(loads).toFixed(0)} ms, unload p50 ${median(unloads).toFixed(0)} ms, server RSS after GC ${samples.at(-1)!.y.toFixed(1)} MB`);
        }
      }
      const perHundred = slope(samples) * 100;
      const direct = `WorkerProcess direct (${directLoads.length} cycles)`;
      const shown = samples.map((s) => `${s.x}: ${s.y.toFixed(1)}`).join(', ');
      return [
        result('load.cold_load.p50', 'ms', false, median(loads), { name: `${direct} start+load`, value: median(directLoads) }, `${cycles} cycles over HTTP, tiny MatMul`),
        result('load.unload.p50', 'ms', false, median(unloads), { name: `${direct} shutdown`, value: median(directUnloads) }),
        withTarget(
          // No baseline to divide by: the start RSS is shown in the baseline's name, the ratio left empty.
          result('memory.rss_slope', 'MB/100 cycles', false, perHundred, { name: `none (RSS after GC ${rssStart.toFixed(1)} MB after ${WARMUP_CYCLES} warm-up cycles)`, value: Number.NaN },
            `least squares over RSS after GC (MB) at ${shown} load/unload cycles`),
          { valueAtMost: 5 },
        ),
      ];
    } finally {
      await server.stop();
    }
  },
};
