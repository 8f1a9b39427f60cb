/**
 * Cold model load (spawn a worker + create the ONNX session, with the lifecycle's events
 * and checks around it) and unload through the HTTP API, against WorkerProcess
 * start+load / shutdown called directly; and the server's RSS over 100 load/unload cycles.
 */
import { startAppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { median, result, type BenchResult } from '../support/stats.js';
import { loadModel, registerModel, unloadModel } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul-load';
const CYCLES = 100;
const WARMUP_CYCLES = 3;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const loadCase: BenchCase = {
  name: 'load',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const directEvery = ctx.quick ? 10 : 4;
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('load') });
    try {
      const http = server.http;
      await registerModel(http, ctx.model, MODEL_ID);
      for (let i = 0; i < WARMUP_CYCLES; i++) {
        await loadModel(http, MODEL_ID); // the first also copies the files into the model cache
        await unloadModel(http, MODEL_ID);
      }
      const rssBefore = await server.rssMb();
      const loads: number[] = [];
      const unloads: number[] = [];
      const directLoads: number[] = [];
      const directUnloads: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
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
        if ((i + 1) % 25 === 0) ctx.log(`  ${i + 1}/${CYCLES} cycles: load p50 ${median(loads).toFixed(0)} ms, unload p50 ${median(unloads).toFixed(0)} ms, server RSS ${(await server.rssMb()).toFixed(1)} MB`);
      }
      const rssAfter = await server.rssMb();
      const direct = `WorkerProcess direct (${directLoads.length} cycles)`;
      return [
        result('load.cold_load.p50', 'ms', false, median(loads), { name: `${direct} start+load`, value: median(directLoads) }, `${CYCLES} cycles over HTTP, tiny MatMul`),
        result('load.unload.p50', 'ms', false, median(unloads), { name: `${direct} shutdown`, value: median(directUnloads) }),
        result('memory.server_rss_after_100_cycles', 'MB', false, rssAfter, { name: 'server RSS before the cycles', value: rssBefore },
          `growth ${(rssAfter - rssBefore).toFixed(1)} MB over ${CYCLES} load/unload cycles`),
      ];
    } finally {
      await server.stop();
    }
  },
};
