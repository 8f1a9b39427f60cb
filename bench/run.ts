/**
 * `npm run bench [-- --quick] [--out FILE] [--markdown FILE] [--only a,b] [--profile DIR] [--no-build]`
 *
 * Every figure is a median over rounds, beside a baseline measured in the same run on
 * the same database (DATABASE_URL → a fresh database on that server, dropped after;
 * unset → embedded PGlite). The app is benchmarked as compiled by tsc (dist/).
 * `--markdown FILE` writes the README's Performance table from the results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { appendCase } from './cases/append.js';
import { inProcessCase } from './cases/in-process.js';
import { loadCase } from './cases/load.js';
import { oipBinaryCase } from './cases/oip-binary.js';
import { pgBossCase } from './cases/pg-boss.js';
import { pipelineCase } from './cases/pipeline.js';
import { queueCase } from './cases/queue.js';
import { realEmbeddingsCase } from './cases/real-embeddings.js';
import { relayCase } from './cases/relay.js';
import { scaleCase } from './cases/scale.js';
import { startUpCase } from './cases/start-up.js';
import { streamsCase } from './cases/streams.js';
import { appModules, buildApp } from './support/app-modules.js';
import type { BenchCase, BenchContext } from './support/bench-context.js';
import { BenchDatabase } from './support/bench-database.js';
import { machineInfo, renderMarkdown, renderTable, round2 } from './support/report.js';
import type { BenchResult } from './support/stats.js';
import { applyTargets } from './support/targets.js';
import { writeTinyModel } from './support/tiny-model.js';

const CASES: BenchCase[] = [queueCase, appendCase, pipelineCase, pgBossCase, inProcessCase, relayCase, loadCase, scaleCase, oipBinaryCase, realEmbeddingsCase, streamsCase, startUpCase];

interface Flags {
  quick: boolean;
  out?: string;
  markdown?: string;
  only?: string[];
  profileDir?: string;
  build: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { quick: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') flags.quick = true;
    else if (a === '--out') flags.out = value();
    else if (a === '--markdown') flags.markdown = value();
    else if (a === '--only') flags.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--profile') flags.profileDir = resolve(value());
    else if (a === '--no-build') flags.build = false;
    else throw new Error(`unknown flag ${a} (known: --quick, --out FILE, --markdown FILE, --only a,b, --profile DIR, --no-build)`);
  }
  const unknown = (flags.only ?? []).filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length) throw new Error(`--only: unknown case(s) ${unknown.join(', ')} (known: ${CASES.map((c) => c.name).join(', ')})`);
  return flags;
}

// Ctrl-C: exit through process.exit so the 'exit' hooks kill the app servers we started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const log = (line: string) => console.log(line);
  if (flags.build) await buildApp(log);
  const app = await appModules();
  const db = await BenchDatabase.create(process.env.DATABASE_URL || undefined);
  const machine = machineInfo(db.kind);
  log(
    db.kind === 'postgresql'
      ? `database: PostgreSQL, fresh database for this run (${new URL(db.url!).pathname.slice(1)}), dropped at the end`
      : 'database: embedded PGlite (DATABASE_URL is not set): figures are PGlite figures, and the pg-boss case is skipped',
  );
  log(`machine: ${machine.cpus} x ${machine.cpu_model}, ${machine.mem_gb} GB, node ${machine.node}, load average ${machine.load_average.start}${flags.quick ? ', --quick' : ''}`);
  if (flags.profileDir) mkdirSync(flags.profileDir, { recursive: true });

  const results: BenchResult[] = [];
  const skipped: string[] = [];
  try {
    const ctx: BenchContext = {
      quick: flags.quick,
      db,
      app,
      model: await writeTinyModel(app, db.tempDir('model')),
      kafkaBrokers: process.env.KAFKA_BROKERS || undefined,
      profileDir: flags.profileDir,
      log,
      serverEnv: () => ({ ...db.serverEnv(), MODELMORA_MODEL_DIR: db.tempDir('model-cache') }),
      serverNodeArgs: (label) => (flags.profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(flags.profileDir, label)] : []),
    };
    for (const c of CASES) {
      if (flags.only && !flags.only.includes(c.name)) continue;
      const reason = c.skip?.(ctx);
      if (reason) {
        skipped.push(`${c.name}: ${reason}`);
        log(`\n[${c.name}] skipped: ${reason}`);
        continue;
      }
      const t0 = performance.now();
      log(`\n[${c.name}] load average ${round2(loadavg()[0]!)}`);
      try {
        const rows = await c.run(ctx);
        results.push(...applyTargets(rows));
        log(`[${c.name}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      } catch (err) {
        // One broken case must not cost the others' figures.
        skipped.push(`${c.name}: FAILED (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
        log(`[${c.name}] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    await db.dispose();
  }
  machine.load_average.end = round2(loadavg()[0]!);
  log(`\n${renderTable(results)}`);
  for (const s of skipped) log(`skipped: ${s}`);
  log(
    `\n${db.kind === 'postgresql' ? 'PostgreSQL' : 'PGlite (embedded)'}; ratio = ModelMora / baseline; medians of rounds; ` +
      `load average ${machine.load_average.start} → ${machine.load_average.end} on ${machine.cpus} CPUs; ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in all`,
  );
  if (flags.out) {
    writeFileSync(flags.out, `${JSON.stringify({ machine, results, skipped }, null, 2)}\n`);
    log(`wrote ${flags.out}`);
  }
  if (flags.markdown) {
    writeFileSync(flags.markdown, renderMarkdown(results, machine, skipped, flags.quick));
    log(`wrote ${flags.markdown}`);
  }
  if (skipped.some((s) => s.includes('FAILED'))) process.exitCode = 1;
}

main().then(() => process.exit(process.exitCode ?? 0), (err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
