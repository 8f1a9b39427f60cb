/**
 * Start-up of the standalone server, by scripts/measure-start.sh: process start → /health/ready
 * on the default embedded database (first start on a fresh data directory; warm starts of
 * `node dist/src/main.js` and `npm start`), idle RSS 5 s after ready (no model, no worker),
 * and, on a PostgreSQL run, warm starts on it. Baseline: Node starting a bare node:http server.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/app-modules.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { detail, result, withTarget, type BenchResult } from '../support/stats.js';

interface Figures {
  first_start_ms: number;
  warm_main_ms: number;
  warm_npm_start_ms: number;
  idle_rss_mb: number;
  embedded_db_rss_mb: number;
  warm_main_postgres_ms: number | null;
  idle_rss_postgres_mb: number | null;
  bare_node_http_ms: number;
  first_start_cpu_ms: number;
  warm_main_cpu_ms: number;
  runs: number;
}

export const startUpCase: BenchCase = {
  name: 'startup',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const runs = ctx.quick ? 3 : 5;
    const env = { ...process.env, DATABASE_URL: ctx.db.kind === 'postgresql' ? ctx.db.url! : '' };
    const { stdout } = await promisify(execFile)('bash', [join(ROOT, 'scripts', 'measure-start.sh'), String(runs), '--json'], { cwd: ROOT, env, timeout: 600_000 });
    const f = JSON.parse(stdout.trim().split('\n').at(-1)!) as Figures;
    ctx.log(`  ${JSON.stringify(f)}`);
    const floor = { name: 'bare node:http server start', value: f.bare_node_http_ms };
    const none = { name: 'none (an absolute target)', value: Number.NaN };
    const rows = [
      withTarget(result('startup.warm.main_js', 'ms', false, f.warm_main_ms, floor, `node dist/src/main.js to /health/ready, embedded PGlite, median of ${runs}`), { valueAtMost: 1500 }),
      withTarget(result('startup.warm.npm_start', 'ms', false, f.warm_npm_start_ms, floor, `npm start, unchanged tree, median of ${runs}`), { valueAtMost: 2000 }),
      withTarget(result('startup.first_start', 'ms', false, f.first_start_ms, floor, 'node dist/src/main.js on a fresh data directory (PGlite template copy + migrations)'), { valueAtMost: 3000 }),
      withTarget(result('startup.idle_rss', 'MB', false, f.idle_rss_mb, none, 'server process 5 s after ready, no model loaded, embedded PGlite (in its own process since round 3)'), { valueAtMost: 150 }),
    ];
    // Not hidden by the move: the embedded database's process, beside the server's.
    rows.push(result('startup.idle_rss_embedded_db', 'MB', false, f.embedded_db_rss_mb, none, "the embedded database's own process (PGlite's WASM heap), 5 s after ready"));
    // CPU the server spent until ready: the work of a start, which a busy machine stretches less than wall time.
    rows.push(detail(result('startup.warm.main_js_cpu', 'ms', false, f.warm_main_cpu_ms, none, 'CPU time (all threads) of the server process until ready')));
    rows.push(detail(result('startup.first_start_cpu', 'ms', false, f.first_start_cpu_ms, none, 'CPU time of the first start until ready')));
    if (f.warm_main_postgres_ms !== null && f.idle_rss_postgres_mb !== null) {
      rows.push(detail(result('startup.warm.main_js_postgres', 'ms', false, f.warm_main_postgres_ms, floor, 'on PostgreSQL: no PGlite loaded')));
      rows.push(withTarget(result('startup.idle_rss_postgres', 'MB', false, f.idle_rss_postgres_mb, none, 'server process 5 s after ready on PostgreSQL, no model loaded'), { valueAtMost: 150 }));
    }
    return rows;
  },
};
