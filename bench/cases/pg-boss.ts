/**
 * Durable async jobs: ModelMora's `POST /infer/{id}/async` (202, job events stored,
 * scheduled, batched, run on the tiny model, result stored) against pg-boss@10 on the
 * same PostgreSQL database with a no-op handler. Same job count, same submit concurrency.
 */
import PgBoss from 'pg-boss';
import { startAppServer, type AppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { expectStatus } from '../support/http-client.js';
import { closedLoop, median, result, type BenchResult } from '../support/stats.js';
import { loadModel, registerModel, requireInferenceApi } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul-async';
const SUBMIT_CONCURRENCY = 32;
/** pg-boss at its fastest documented polling (0.5 s) with several batch-fetching workers: a generous setup. */
const BOSS_WORKERS = 4;
const BOSS_BATCH = 100;
const POLL_MS = 25;

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

async function bossRound(boss: PgBoss, queue: string, jobs: number, data: object): Promise<RoundFigures> {
  await boss.createQueue(queue);
  for (let w = 0; w < BOSS_WORKERS; w++) {
    await boss.work(queue, { batchSize: BOSS_BATCH, pollingIntervalSeconds: 0.5 }, async () => undefined);
  }
  const started = performance.now();
  const submit = await closedLoop(jobs, SUBMIT_CONCURRENCY, async () => {
    if (!(await boss.send(queue, data))) throw new Error('pg-boss send returned no id');
  });
  await waitUntil(async () => (await boss.getQueueSize(queue, { before: 'completed' })) === 0, 'pg-boss jobs to complete');
  const completed = jobs / ((performance.now() - started) / 1000);
  await boss.offWork(queue);
  return { submitted: submit.throughput, completed };
}

export const pgBossCase: BenchCase = {
  name: 'pgboss',
  skip: (ctx) => (ctx.db.kind === 'postgresql' ? undefined : 'pg-boss needs a real PostgreSQL (set DATABASE_URL); not comparable on PGlite'),
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const jobs = ctx.quick ? 400 : 2000;
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('pgboss') });
    const boss = new PgBoss({ connectionString: ctx.db.url!, schema: 'pgboss_bench', max: 10, supervise: false, schedule: false });
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
      const base = `pg-boss@10 no-op handler (${BOSS_WORKERS} workers x batch ${BOSS_BATCH}, 0.5 s polling)`;
      const m = (xs: RoundFigures[], k: keyof RoundFigures) => median(xs.map((x) => x[k]));
      return [
        result('pgboss.submitted_and_completed', 'jobs/s', true, m(ours, 'completed'), { name: base, value: m(theirs, 'completed') },
          `${jobs} jobs/round submitted at concurrency ${SUBMIT_CONCURRENCY}; ours over HTTP on the tiny model, pg-boss in-process send`),
        result('pgboss.submit_only', 'jobs/s', true, m(ours, 'submitted'), { name: 'pg-boss send()', value: m(theirs, 'submitted') }),
      ];
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await server.stop();
    }
  },
};
