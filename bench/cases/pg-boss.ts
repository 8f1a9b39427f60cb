/**
 * Durable async jobs: ModelMora's `POST /infer/{id}/async` (202, job events stored,
 * scheduled, batched, run on the tiny model, result stored) against pg-boss@10 on the
 * same PostgreSQL database with a no-op handler. Same job count, same submit concurrency.
 *
 * pg-boss tuned for throughput (read from its 10.x source): a `work()` worker sleeps out
 * `pollingIntervalSeconds` (minimum 0.5 s) after every fetch, even a full one, unless
 * notified, so each worker moves at most `batchSize` jobs per 0.5 s. The tuned side
 * instead runs FETCH_LOOPS loops of `fetch(batchSize)` + `complete(ids)` that poll again
 * at once while jobs come back and sleep IDLE_MS only when the queue is empty (the
 * documented fetch/complete API, what a user after throughput would write), with a pool
 * large enough for the senders and the loops. `BENCH_PGBOSS_MODE=work` measures the
 * `work()` setup instead (BOSS_WORKERS workers x BOSS_BATCH, 0.5 s polling).
 */
import PgBoss from 'pg-boss';
import { startAppServer, type AppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { expectStatus } from '../support/http-client.js';
import { closedLoop, median, result, withTarget, type BenchResult } from '../support/stats.js';
import { loadModel, registerModel, requireInferenceApi } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul-async';
const SUBMIT_CONCURRENCY = 32;
const BOSS_WORKERS = 4;
const BOSS_BATCH = 100;
const FETCH_LOOPS = 2;
const IDLE_MS = 5;
const BOSS_POOL = 40;
const POLL_MS = 25;
const MODE = process.env.BENCH_PGBOSS_MODE === 'work' ? 'work' : 'fetch';

interface RoundFigures {
  /** jobs acknowledged per second (202 / send resolved). */
  submitted: number;
  /** jobs per second from the first submit until the last one completed. */
  completed: number;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function oursRound(server: AppServer, jobs: number, body: string): Promise<RoundFigures> {
  const q = `/api/v1/jobs?model_id=${encodeURIComponent(MODEL_ID)}&page_size=1&status=`;
  const count = async (status: string) => expectStatus(await server.http.get<{ meta: { total: number } }>(q + status), 200, 'list jobs').meta.total;
  const before = await count('completed');
  const failedBefore = await count('failed');
  const path = `/api/v1/infer/${encodeURIComponent(MODEL_ID)}/async`;
  const started = performance.now();
  const submit = await closedLoop(jobs, SUBMIT_CONCURRENCY, async () => {
    const reply = await server.http.postRaw(path, body);
    if (reply.status !== 202) throw new Error(`async submit: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  });
  await waitUntil(async () => {
    if ((await count('failed')) > failedBefore) throw new Error('an async job failed');
    return (await count('completed')) - before >= jobs;
  }, 'async jobs to complete');
  return { submitted: submit.throughput, completed: jobs / ((performance.now() - started) / 1000) };
}

/** FETCH_LOOPS fetch+complete loops, no sleep while jobs come back; stopped by `stop()`. */
function fetchLoops(boss: PgBoss, queue: string): { stop(): Promise<void> } {
  let stopping = false;
  const loop = async () => {
    while (!stopping) {
      const jobs = await boss.fetch(queue, { batchSize: BOSS_BATCH });
      if (jobs.length === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
      else await boss.complete(queue, jobs.map((j) => j.id)); // the no-op handler ran
    }
  };
  const loops = Array.from({ length: FETCH_LOOPS }, loop);
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

async function bossRound(boss: PgBoss, queue: string, jobs: number, data: object): Promise<RoundFigures> {
  await boss.createQueue(queue);
  let loops: { stop(): Promise<void> } | undefined;
  if (MODE === 'fetch') loops = fetchLoops(boss, queue);
  else for (let w = 0; w < BOSS_WORKERS; w++) await boss.work(queue, { batchSize: BOSS_BATCH, pollingIntervalSeconds: 0.5 }, async () => undefined);
  const started = performance.now();
  const submit = await closedLoop(jobs, SUBMIT_CONCURRENCY, async () => {
    if (!(await boss.send(queue, data))) throw new Error('pg-boss send returned no id');
  });
  await waitUntil(async () => (await boss.getQueueSize(queue, { before: 'completed' })) === 0, 'pg-boss jobs to complete');
  const completed = jobs / ((performance.now() - started) / 1000);
  if (loops) await loops.stop();
  else await boss.offWork(queue);
  return { submitted: submit.throughput, completed };
}

export const pgBossCase: BenchCase = {
  name: 'pgboss',
  skip: (ctx) => (ctx.db.kind === 'postgresql' ? undefined : 'pg-boss needs a real PostgreSQL (set DATABASE_URL); not comparable on PGlite'),
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const jobs = ctx.quick ? 400 : 2000;
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('pgboss') });
    const boss = new PgBoss({ connectionString: ctx.db.url!, schema: 'pgboss_bench', max: BOSS_POOL, supervise: false, schedule: false });
    boss.on('error', (err) => ctx.log(`  pg-boss error: ${err.message}`));
    try {
      await boss.start();
      await requireInferenceApi(server.http);
      await registerModel(server.http, ctx.model, MODEL_ID);
      await loadModel(server.http, MODEL_ID);
      const body = JSON.stringify({ inputs: ctx.model.inputs });
      // Warm-up, untimed: JIT, connection pools, pg-boss's prepared plans.
      await oursRound(server, 50, body);
      await bossRound(boss, 'bench-warmup', 50, { inputs: ctx.model.inputs });

      const ours: RoundFigures[] = [];
      const theirs: RoundFigures[] = [];
      for (let r = 0; r < rounds; r++) {
        ours.push(await oursRound(server, jobs, body));
        theirs.push(await bossRound(boss, `bench-${r}`, jobs, { inputs: ctx.model.inputs }));
        ctx.log(`  round ${r + 1}/${rounds}: ModelMora ${Math.round(ours[r]!.completed)} jobs/s (submit ${Math.round(ours[r]!.submitted)}/s); pg-boss ${Math.round(theirs[r]!.completed)} jobs/s (send ${Math.round(theirs[r]!.submitted)}/s)`);
      }
      const base = MODE === 'fetch'
        ? `pg-boss@10 no-op, ${FETCH_LOOPS} fetch+complete loops x batch ${BOSS_BATCH}, pool ${BOSS_POOL}`
        : `pg-boss@10 no-op, ${BOSS_WORKERS} work() x batch ${BOSS_BATCH}, 0.5 s polling`;
      const m = (xs: RoundFigures[], k: keyof RoundFigures) => median(xs.map((x) => x[k]));
      return [
        withTarget(result('async.submitted_to_completed', 'jobs/s', true, m(ours, 'completed'), { name: base, value: m(theirs, 'completed') },
          `${jobs} jobs/round x ${rounds} rounds submitted at concurrency ${SUBMIT_CONCURRENCY}; ours over HTTP on the tiny model, pg-boss in-process send`), { ratioAtLeast: 3 }),
        result('async.submit_only', 'jobs/s', true, m(ours, 'submitted'), { name: 'pg-boss send()', value: m(theirs, 'submitted') }),
      ];
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await server.stop();
    }
  },
};
