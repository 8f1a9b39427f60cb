/**
 * Sync inference over HTTP (job submitted → scheduled → batched → worker → events
 * recorded → reply), our server at its default log level, against: a bare node:http
 * server handing the same JSON to a WorkerProcess (the "overhead over the worker"
 * baseline, bare-worker-server.ts), the worker called directly over IPC, and
 * onnxruntime-node's InferenceSession.run in this process.
 */
import ort from 'onnxruntime-node';
import { matmulReference } from '../../test/support/tiny-models.js';
import { startAppServer } from '../support/app-server.js';
import { startBareServer, type BareServer } from '../support/bare-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { expectStatus } from '../support/http-client.js';
import { closedLoop, detail, result, summarise, withTarget, type BenchResult, type RoundStats } from '../support/stats.js';
import { loadModel, registerModel, requireInferenceApi } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul';

interface Side {
  name: string;
  call: () => Promise<unknown>;
}

export const pipelineCase: BenchCase = {
  name: 'pipeline',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const levels = [
      { concurrency: 1, requests: ctx.quick ? 100 : 500 },
      { concurrency: 32, requests: ctx.quick ? 640 : 2000 },
    ];
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('pipeline'), maxSockets: 64 });
    let bare: BareServer | undefined;
    const worker = new ctx.app.worker.WorkerProcess({ label: 'bench-ipc', onOutput: () => undefined });
    let session: ort.InferenceSession | undefined;
    try {
      await requireInferenceApi(server.http);
      await registerModel(server.http, ctx.model, MODEL_ID);
      await loadModel(server.http, MODEL_ID);
      bare = await startBareServer(ctx.model.dir);
      await worker.start();
      // The options the lifecycle gives a worker (one intra-op thread, see LoadModelWorkflow).
      await worker.load({ modelDir: ctx.model.dir, taskType: 'tensor', runtimeOptions: { intraOpNumThreads: 1 } });
      session = await ort.InferenceSession.create(ctx.model.path, {
        executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
      });

      const body = JSON.stringify({ inputs: ctx.model.inputs });
      const path = `/api/v1/infer/${encodeURIComponent(MODEL_ID)}`;
      const expected = matmulReference(ctx.model.inputs.x.data);
      const first = expectStatus(await server.http.postRaw<{ outputs: { y: { data: number[] } } }>(path, body), 200, 'sync inference');
      if (first.outputs.y.data.some((v, i) => Math.abs(v - expected[i]!) > 1e-4)) throw new Error(`wrong outputs ${JSON.stringify(first.outputs)}`);
      const bareFirst = expectStatus(await bare.http.postRaw<{ outputs: { y: { data: number[] } } }>(path, body), 200, 'bare server');
      if (JSON.stringify(bareFirst.outputs) !== JSON.stringify(first.outputs)) throw new Error(`bare server answers ${JSON.stringify(bareFirst.outputs)}`);
      const bareHttp = bare.http;

      const x = ctx.model.inputs.x;
      const sides: Side[] = [
        {
          name: 'HTTP sync',
          call: async () => {
            const reply = await server.http.postRaw(path, body);
            if (reply.status !== 200) throw new Error(`sync inference: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
          },
        },
        {
          name: 'bare node:http → WorkerProcess',
          call: async () => {
            const reply = await bareHttp.postRaw(path, body);
            if (reply.status !== 200) throw new Error(`bare server: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
          },
        },
        {
          name: 'WorkerProcess.infer over IPC',
          call: async () => {
            const { results } = await worker.infer([ctx.model.inputs]);
            if (!results[0]?.ok) throw new Error(`IPC inference failed: ${JSON.stringify(results[0])}`);
          },
        },
        {
          name: 'InferenceSession.run in-process',
          call: () => session!.run({ x: new ort.Tensor('float32', Float32Array.from(x.data), x.dims) }),
        },
      ];
      for (const s of sides) for (let i = 0; i < 50; i++) await s.call(); // warm-up

      const out: BenchResult[] = [];
      for (const { concurrency, requests } of levels) {
        const stats = sides.map(() => [] as RoundStats[]);
        for (let r = 0; r < rounds; r++) {
          // Interleaved by round so all sides see the same machine load.
          for (const [k, s] of sides.entries()) stats[k]!.push(await closedLoop(requests, concurrency, s.call));
          ctx.log(`  c=${concurrency} round ${r + 1}/${rounds}: ${sides.map((s, k) => `${s.name} ${Math.round(stats[k]![r]!.throughput)}/s p50 ${stats[k]![r]!.p50.toFixed(2)} ms`).join('; ')}`);
        }
        const [http, bareStats, ipc, inproc] = stats.map(summarise) as [RoundStats, RoundStats, RoundStats, RoundStats];
        const bareName = `${sides[1]!.name}, c=${concurrency}`;
        const ipcName = `${sides[2]!.name}, c=${concurrency}`;
        const inName = `${sides[3]!.name}, c=${concurrency}`;
        const prefix = `pipeline.c${concurrency}`;
        const note = `${requests} requests/round x ${rounds} rounds, tiny MatMul [1,4]x[4,2], default log level`;
        const overTheWorker =
          concurrency === 1
            ? withTarget(result(`${prefix}.p50`, 'ms', false, http.p50, { name: bareName, value: bareStats.p50 }, note), { overheadAtMost: 1 })
            : withTarget(result(`${prefix}.throughput`, 'req/s', true, http.throughput, { name: bareName, value: bareStats.throughput }, note), { ratioAtLeast: 0.6 }); // issue 21
        out.push(
          overTheWorker,
          concurrency === 1
            ? result(`${prefix}.throughput`, 'req/s', true, http.throughput, { name: bareName, value: bareStats.throughput })
            : result(`${prefix}.p50`, 'ms', false, http.p50, { name: bareName, value: bareStats.p50 }),
          detail(result(`${prefix}.p99`, 'ms', false, http.p99, { name: bareName, value: bareStats.p99 })),
          result(`${prefix}.throughput`, 'req/s', true, http.throughput, { name: ipcName, value: ipc.throughput }),
          detail(result(`${prefix}.p50`, 'ms', false, http.p50, { name: ipcName, value: ipc.p50 })),
          detail(result(`${prefix}.p99`, 'ms', false, http.p99, { name: ipcName, value: ipc.p99 })),
          detail(result(`${prefix}.throughput`, 'req/s', true, http.throughput, { name: inName, value: inproc.throughput })),
          detail(result(`${prefix}.p50`, 'ms', false, http.p50, { name: inName, value: inproc.p50 })),
        );
      }
      return out;
    } finally {
      await session?.release();
      await worker.shutdown().catch(() => undefined);
      await bare?.stop();
      await server.stop();
    }
  },
};
