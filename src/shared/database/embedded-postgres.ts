import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockDataFolder } from './data-folder-lock.js';

/**
 * PGlite (WASM PostgreSQL) in a child process behind its socket server, for the same `pg` driver
 * and migrations; why a process of its own and one pooled connection: docs/architecture.md.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly child: ChildProcess,
    private readonly unlock: () => void,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Takes the one `prestartEmbeddedPostgres` began for `dataDir`, if any; else starts one. */
  static start(dataDir: string, freshFrom?: string): Promise<EmbeddedPostgres> {
    const early = prestarted().get(resolve(dataDir));
    if (!early) return EmbeddedPostgres.launch(dataDir, freshFrom);
    prestarted().delete(resolve(dataDir));
    return early;
  }

  /** `freshFrom`: an initialised data folder a fresh `dataDir` starts as a copy of (default: the plain template). */
  private static async launch(dataDir: string, freshFrom?: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true });
    const lock = await lockDataFolder(dataDir);
    let child: ChildProcess | undefined;
    try {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(dataDir, freshFrom);
      child = spawn(process.execPath, [...PGLITE_NODE_FLAGS, '--input-type=module', '-e', SERVE_SCRIPT, import.meta.resolve('@electric-sql/pglite'),
        import.meta.resolve('@electric-sql/pglite-socket'), dataDir, JSON.stringify(POSTGRESQL_CONF)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      lock.addOwner(child.pid!);
      const [host, port] = (await serving(child)).split(':');
      // Its end without a stop is a lost database: every statement now fails (readiness says so), and the log says why.
      child.once('exit', (code, signal) => {
        if (!stopping.has(child!)) console.error(`embedded database: its process ${child!.pid} ended unexpectedly (${signal ?? `exit code ${code}`}); restart the server`);
      });
      // Serving, it never keeps this process alive: when this one ends, it closes (see SERVE_SCRIPT).
      child.unref();
      child.channel?.unref();
      return new EmbeddedPostgres(child, lock.release, host!, Number(port));
    } catch (err) {
      if (child?.exitCode === null) child.kill('SIGKILL');
      if (child) await exited(child);
      lock.release();
      throw err;
    }
  }

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  /** PGlite closes cleanly (its data folder is then consistent) before the folder is unlocked. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      stopping.add(this.child);
      this.child.ref();
      // A channel the child already dropped (it is closing on its own) is no error: its exit follows.
      this.child.send('stop', () => undefined);
      await exited(this.child);
    }
    this.unlock();
  }
}

const stopping = new WeakSet<ChildProcess>();

// V8 compiles PGlite's 9 MB of WASM with Liftoff only: without it, the main thread waits on V8's
// background compile work (a futex, under strace) and the first connection stalls ~300 ms, and an
// open costs twice the CPU (1.05 → 0.52 s; initdb 4.9 → 2.9 s). Row-at-a-time statements, ours,
// run as fast; scans and aggregates over many rows are ~1.4× slower. docs/architecture.md, "The database".
const PGLITE_NODE_FLAGS = ['--liftoff-only'];

// Small buffers keep the WASM heap (and so the process's RSS) down: the embedded server is for one node and modest data.
const POSTGRESQL_CONF = ['shared_buffers=16MB', 'work_mem=4MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB'];

// The child: opens PGlite, serves it on a free port and says where; closes on 'stop' or when this
// process is gone (the IPC channel drops). Signals to the process group are left to this process,
// whose shutdown still records what it decided.
const SERVE_SCRIPT = `
const [pgliteUrl, socketUrl, dataDir, conf] = process.argv.slice(1);
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import(pgliteUrl), import(socketUrl)]);
const db = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(conf) });
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
await server.start();
let closing;
const close = () => (closing ??= server.stop().then(() => db.close()).finally(() => process.exit(0)));
process.on('message', (m) => m === 'stop' && close());
process.on('disconnect', close);
process.send({ serving: server.getServerConn() });
`;

function serving(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: { serving?: string }) => (m?.serving ? resolve(m.serving) : reject(new Error(`embedded database: unexpected message ${JSON.stringify(m)}`))));
    child.once('exit', (code, signal) => reject(new Error(`embedded database: its process ended before serving (${signal ?? `exit code ${code}`})`)));
    child.once('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

// Process-wide, not module-wide: the server's loader and its bundle each have their own copy of this module.
const PRESTARTED = Symbol.for('modelmora.embedded-postgres.prestarted');
function prestarted(): Map<string, Promise<EmbeddedPostgres>> {
  return ((globalThis as Record<symbol, Map<string, Promise<EmbeddedPostgres>>>)[PRESTARTED] ??= new Map());
}

/**
 * Begins opening the embedded database for `dataDir` now, for `EmbeddedPostgres.start` to take
 * later: the standalone server's loader calls it so the database's process starts while the
 * server's code loads. A failure surfaces where it is taken.
 */
export function prestartEmbeddedPostgres(dataDir: string, freshFrom?: string): void {
  const key = resolve(dataDir);
  if (prestarted().has(key)) return;
  const starting = EmbeddedPostgres.start(key, freshFrom);
  starting.catch(() => undefined);
  prestarted().set(key, starting);
}

async function initialise(dataDir: string, freshFrom?: string): Promise<void> {
  let template = freshFrom && existsSync(join(freshFrom, 'PG_VERSION')) ? freshFrom : undefined;
  try {
    template ??= await ensurePgliteTemplate();
  } catch {
    // No writable place for the template (a read-only install): initialise in place.
  }
  // Off the main thread: a prestarted copy overlaps the server's code loading.
  if (template) await cp(template, dataDir, { recursive: true });
  else await initdbInChild(dataDir);
}

/**
 * A fresh data folder is a copy of one initialised at build time (`npm install` builds it
 * into `dist/pglite-template`): initdb costs seconds, a copy of its 40 MB milliseconds.
 * Made here on first need when the build did not (an installed package); scripts/build.mjs calls it.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  const template = pgliteTemplateDir('pglite-template');
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const staging = `${template}.tmp-${process.pid}-${Date.now()}`;
  await initdbInChild(staging);
  try {
    renameSync(staging, template);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process made it first
  }
  return template;
}

/** Where the build keeps an initialised data folder named `name` (under the package's dist/). */
export function pgliteTemplateDir(name: string): string {
  return join(packageRoot(), 'dist', name);
}

function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('embedded PostgreSQL: no package.json above its module');
  }
}

// initdb grows the WASM heap to ~700 MB and a WebAssembly memory never shrinks: it runs in a
// short-lived child process, so the server's own instance starts small (~250 MB).
async function initdbInChild(dataDir: string): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)}); const db = await PGlite.create({ dataDir: process.argv[1] }); await db.close();`;
  await promisify(execFile)(process.execPath, [...PGLITE_NODE_FLAGS, '--input-type=module', '-e', script, dataDir], { timeout: 120_000 });
}
