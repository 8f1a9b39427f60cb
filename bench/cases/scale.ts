/**
 * Scale-out (issue 10, "Measured"): async jobs/s with 1, 2 and 3 server processes
 * (dist/src/main.js) on one PostgreSQL database, each with its own
 * MODELMORA_INSTANCE_ID and model cache, the model loaded on every instance, and the
 * submissions spread round-robin over all instances over HTTP. On a 2-core machine
 * expect little gain: the point is that throughput does not fall and nothing breaks.
 * Each instance count gets a fresh model id, so its completions are counted alone.
 */
import { startAppServer, type AppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { expectStatus } from '../support/http-client.js';
import { closedLoop, median, result, type BenchResult } from '../support/stats.js';
import { loadModel, registerModel, requireInferenceApi } from '../support/tiny-model.js';

const INSTANCE_COUNTS = [1, 2, 3];
const SUBMIT_CONCURRENCY = 32;
const POLL_MS = 25;

async function completedCount(server: AppServer, modelId: string, status: string): Promise<number> {
  const q = `/api/v1/jobs?model_id=${encodeURIComponent(modelId)}&page_size=1&status=${status}`;
  return expectStatus(await server.http.get<{ meta: { total: number } }>(q), 200, 'list jobs').meta.total;
}

/** One round: `jobs` submissions spread over the instances; jobs/s from the first submit to the last completion. */
async function round(servers: readonly AppServer[], modelId: string, jobs: number, body: string): Promise<number> {
  const path = `/api/v1/infer/${encodeURIComponent(modelId)}/async`;
  const before = await completedCount(servers[0]!, modelId, 'completed');
  const started = performance.now();
  await closedLoop(jobs, SUBMIT_CONCURRENCY, async (i) => {
    const reply = await servers[i % servers.length]!.http.postRaw(path, body);
    if (reply.status !== 202) throw new Error(`async submit to instance ${(i % servers.length) + 1}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  });
  const deadline = performance.now() + 120_000;
  for (;;) {
    if ((await completedCount(servers[0]!, modelId, 'failed')) > 0) throw new Error('an async job failed');
    if ((await completedCount(servers[0]!, modelId, 'completed')) - before >= jobs) break;
    if (performance.now() > deadline) throw new Error('timed out waiting for the async jobs to complete');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return jobs / ((performance.now() - started) / 1000);
}

async function measure(ctx: BenchContext, instances: number, jobs: number, rounds: number): Promise<number> {
  const servers: AppServer[] = [];
  try {
    // One at a time: each runs the migrations and its start-up reconciliation.
    for (let i = 1; i <= instances; i++) {
      servers.push(await startAppServer({ env: { ...ctx.serverEnv(), MODELMORA_INSTANCE_ID: `bench-scale-${i}` }, nodeArgs: ctx.serverNodeArgs(`scale-${instances}-${i}`) }));
    }
    await requireInferenceApi(servers[0]!.http);
    const modelId = `bench/tiny-matmul-scale-${instances}`;
    await registerModel(servers[0]!.http, ctx.model, modelId);
    for (const s of servers) await loadModel(s.http, modelId);
    const body = JSON.stringify({ inputs: ctx.model.inputs });
    await round(servers, modelId, 50, body); // warm-up
    const figures: number[] = [];
    for (let r = 0; r < rounds; r++) {
      figures.push(await round(servers, modelId, jobs, body));
      ctx.log(`  ${instances} instance(s) round ${r + 1}/${rounds}: ${Math.round(figures[r]!)} jobs/s`);
    }
    return median(figures);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export const scaleCase: BenchCase = {
  name: 'scale',
  skip: (ctx) => (ctx.db.kind === 'postgresql' ? undefined : 'several instances need one real PostgreSQL (set DATABASE_URL); PGlite has one owner'),
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const jobs = ctx.quick ? 400 : 2000;
    const rounds = ctx.quick ? 2 : 3;
    const out: BenchResult[] = [];
    let single = Number.NaN;
    for (const n of INSTANCE_COUNTS) {
      const name = `scale.async_jobs.${n}_instance${n > 1 ? 's' : ''}`;
      const note = `${jobs} jobs/round x ${rounds} rounds over HTTP at concurrency ${SUBMIT_CONCURRENCY}, round-robin over the instances, one database`;
      try {
        const value = await measure(ctx, n, jobs, rounds);
        if (n === 1) single = value;
        out.push(result(name, 'jobs/s', true, value, n === 1 ? { name: 'none (the 1-instance figure is the baseline below)', value: Number.NaN } : { name: '1 instance, same run', value: single }, n === 1 ? note : undefined));
      } catch (err) {
        // Reported in the table, not thrown: the other instance counts keep their figures.
        const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        ctx.log(`  ${n} instance(s) FAILED: ${why}`);
        out.push(result(name, 'jobs/s', true, Number.NaN, { name: '1 instance, same run', value: single }, `FAILED: ${why.slice(0, 200)}`));
      }
    }
    return out;
  },
};
