/**
 * Durable async jobs the way a host app submits them: ModelMora imported into a Nest app in
 * THIS process, SubmitJobCommand on the host's CommandBus at concurrency 32, until every job's
 * `job.completed` reached the EventBus. Baseline: pg-boss@10 `send` + `work` in the same process
 * on the same PostgreSQL database.
 *
 * Same work per job on both sides: the tiny MatMul model run in a worker process (ModelMora's
 * own WorkerProcess for pg-boss's handler, one `infer` per fetched batch, as ModelMora batches),
 * and the outputs stored (pg-boss keeps the handler's return value as the jobs' output).
 *
 * pg-boss at its best settings: WORKERS `work()` loops of batch BATCH, polling interval at its
 * 0.5 s minimum, and `notifyWorker` after every send, which wakes a worker at once instead of
 * letting it sleep out the interval (read from pg-boss 10's worker.js).
 */
import PgBoss from 'pg-boss';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { distPath } from '../support/app-modules.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { closedLoop, detail, median, result, withTarget, type BenchResult } from '../support/stats.js';

const MODEL_ID = 'bench/tiny-matmul-in-process';
const CONCURRENCY = 32;
const WORKERS = 4;
const BATCH = 100;
const POLL_MS = 5;

type Library = typeof import('../../src/index.js');

interface Host {
  app: INestApplicationContext;
  submit(inputs: unknown): Promise<unknown>;
  /** Resolves once `count` more jobs of the bench model completed (rejects on a failed one). */
  completions(count: number): Promise<void>;
}

async function startHost(ctx: BenchContext): Promise<Host> {
  const lib = (await import(pathToFileURL(distPath('index.js')).href)) as Library;
  const { NestFactory } = await import('@nestjs/core');
  const { Module } = await import('@nestjs/common');
  const { CommandBus, EventBus } = await import('@nestjs/cqrs');
  const env = ctx.serverEnv();
  class HostModule {}
  Module({
    imports: [lib.ModelMoraModule.forRoot({ databaseUrl: ctx.db.url, dataDir: env.MODELMORA_DATA_DIR, modelDir: env.MODELMORA_MODEL_DIR, sourceRoots: [tmpdir()] })],
  })(HostModule);
  const app = await NestFactory.createApplicationContext(HostModule, { logger: ['error', 'warn'] });
  const commands = app.get(CommandBus);
  let waiting: { left: number; resolve(): void; reject(err: Error): void } | undefined;
  app.get(EventBus).subscribe((e) => {
    const event = e as { event_type?: string; payload?: { model_id?: string; error_message?: string } };
    if (!waiting || event.payload?.model_id !== MODEL_ID) return;
    if (event.event_type === 'job.failed') waiting.reject(new Error(`job failed: ${event.payload.error_message}`));
    else if (event.event_type === 'job.completed' && --waiting.left === 0) waiting.resolve();
  });
  await commands.execute(new lib.RegisterModelCommand({ model_id: MODEL_ID, task_type: 'tensor', source_url: ctx.model.sourceUrl, checksum: ctx.model.checksum }));
  await commands.execute(new lib.LoadModelCommand(MODEL_ID));
  return {
    app,
    submit: (inputs) => commands.execute(new lib.SubmitJobCommand({ model_id: MODEL_ID, inputs: inputs as never })),
    completions: (count) =>
      new Promise<void>((resolve, reject) => {
        waiting = { left: count, resolve, reject };
      }),
  };
}

/** Jobs per second from the first submit until the last completion; submits per second. */
async function oursRound(host: Host, jobs: number, inputs: unknown): Promise<{ completed: number; submitted: number }> {
  const done = host.completions(jobs); // listening before the first submit: a job may complete before the last is in
  const started = performance.now();
  const submit = await closedLoop(jobs, CONCURRENCY, () => host.submit(inputs));
  await done;
  return { completed: jobs / ((performance.now() - started) / 1000), submitted: submit.throughput };
}

interface BossSide {
  boss: PgBoss;
  round(queue: string, jobs: number, data: { inputs: unknown }): Promise<{ completed: number; submitted: number }>;
  stop(): Promise<void>;
}

async function startBoss(ctx: BenchContext): Promise<BossSide> {
  const { WorkerProcess } = ctx.app.worker;
  const worker = new WorkerProcess({ label: 'pgboss-bench', onOutput: () => undefined });
  await worker.start();
  await worker.load({ modelDir: ctx.model.dir, taskType: 'tensor', runtimeOptions: { intraOpNumThreads: 1 } });
  const boss = new PgBoss({ connectionString: ctx.db.url!, schema: 'pgboss_inproc', max: WORKERS + CONCURRENCY + 4, supervise: false, schedule: false });
  boss.on('error', (err) => ctx.log(`  pg-boss error: ${err.message}`));
  await boss.start();
  const handler = async (batch: PgBoss.Job<{ inputs: unknown }>[]) => {
    const { results } = await worker.infer(batch.map((j) => j.data.inputs as never));
    const failed = results.find((r) => !r.ok);
    if (failed) throw new Error(`inference failed: ${JSON.stringify(failed)}`);
    return results.map((r) => (r.ok ? r.outputs : null));
  };
  return {
    boss,
    async round(queue, jobs, data) {
      await boss.createQueue(queue);
      const workers: string[] = [];
      for (let w = 0; w < WORKERS; w++) workers.push(await boss.work(queue, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, handler));
      const started = performance.now();
      let next = 0;
      const submit = await closedLoop(jobs, CONCURRENCY, async () => {
        if (!(await boss.send(queue, data))) throw new Error('pg-boss send returned no id');
        boss.notifyWorker(workers[next++ % WORKERS]!);
      });
      while ((await boss.getQueueSize(queue, { before: 'completed' })) > 0) await new Promise((r) => setTimeout(r, POLL_MS));
      const completed = jobs / ((performance.now() - started) / 1000);
      await boss.offWork(queue);
      return { completed, submitted: submit.throughput };
    },
    async stop() {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await worker.shutdown();
    },
  };
}

/** This process's CPU per job (ours and pg-boss share the process; the worker and PostgreSQL are not in it). */
async function cpuPerJob<T>(jobs: number, run: () => Promise<T>): Promise<[T, number]> {
  const cpu = process.cpuUsage();
  const out = await run();
  const used = process.cpuUsage(cpu);
  return [out, (used.user + used.system) / 1000 / jobs];
}

/** --profile DIR: this process's CPU profile over the timed rounds of one side (the host app is in this process, not a server). */
async function profiled<T>(ctx: BenchContext, label: string, run: () => Promise<T>): Promise<T> {
  if (!ctx.profileDir) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(ctx.profileDir, `inprocess-${label}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

export const inProcessCase: BenchCase = {
  name: 'inprocess',
  skip: (ctx) => (ctx.db.kind === 'postgresql' ? undefined : 'pg-boss needs a real PostgreSQL (set DATABASE_URL)'),
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const jobs = ctx.quick ? 500 : 2000;
    const host = await startHost(ctx);
    const boss = await startBoss(ctx);
    try {
      const data = { inputs: ctx.model.inputs };
      await oursRound(host, 100, ctx.model.inputs); // warm-up, untimed
      await boss.round('inproc-warmup', 100, data);
      const ours: { completed: number; submitted: number }[] = [];
      const theirs: { completed: number; submitted: number }[] = [];
      const cpu: { ours: number; theirs: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        const [o, oursCpu] = await profiled(ctx, 'modelmora', () => cpuPerJob(jobs, () => oursRound(host, jobs, ctx.model.inputs)));
        const [t, theirsCpu] = await profiled(ctx, 'pgboss', () => cpuPerJob(jobs, () => boss.round(`inproc-${r}`, jobs, data)));
        ours.push(o);
        theirs.push(t);
        cpu.push({ ours: oursCpu, theirs: theirsCpu });
        ctx.log(
          `  round ${r + 1}/${rounds}: ModelMora ${Math.round(o.completed)} jobs/s (submit ${Math.round(o.submitted)}/s, ${oursCpu.toFixed(2)} CPU ms per job); ` +
            `pg-boss ${Math.round(t.completed)} jobs/s (send ${Math.round(t.submitted)}/s, ${theirsCpu.toFixed(2)} CPU ms per job)`,
        );
      }
      const m = (xs: typeof ours, k: 'completed' | 'submitted') => median(xs.map((x) => x[k]));
      return [
        withTarget(
          result('async.in_process.submitted_to_completed', 'jobs/s', true, m(ours, 'completed'),
            { name: `pg-boss@10 send+work in-process, ${WORKERS} workers x batch ${BATCH}, 0.5 s polling + notifyWorker`, value: m(theirs, 'completed') },
            `${jobs} jobs/round x ${rounds} rounds at concurrency ${CONCURRENCY}; host CommandBus → SubmitJob; both run the tiny model in a worker process`),
          { ratioAtLeast: 3 },
        ),
        result('async.in_process.submit_only', 'jobs/s', true, m(ours, 'submitted'), { name: 'pg-boss send()', value: m(theirs, 'submitted') }),
        detail(result('async.in_process.cpu_per_job', 'ms', false, median(cpu.map((c) => c.ours)), { name: 'pg-boss send+work', value: median(cpu.map((c) => c.theirs)) },
          'CPU of the bench process (the host app, or pg-boss) per job; the worker and PostgreSQL excluded')),
      ];
    } finally {
      await boss.stop();
      await host.app.close();
    }
  },
};
