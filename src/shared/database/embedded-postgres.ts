import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataFolder } from './data-folder-lock.js';

/**
 * PostgreSQL in-process (PGlite) behind its socket server, so the same `pg`/TypeORM driver and
 * migrations run on it; it runs one transaction at a time, hence one pooled connection.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
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
    const unlock = lockDataFolder(dataDir);
    try {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(dataDir, freshFrom);
      const db = await open(dataDir);
      // Loaded here, not at the top: the server's bundle would otherwise load PGlite on PostgreSQL too.
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
      await server.start();
      const [host, port] = server.getServerConn().split(':');
      return new EmbeddedPostgres(db, server, unlock, host!, Number(port));
    } catch (err) {
      unlock();
      throw err;
    }
  }

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    this.unlock();
  }
}

// Process-wide, not module-wide: the server's loader and its bundle each have their own copy of this module.
const PRESTARTED = Symbol.for('modelmora.embedded-postgres.prestarted');
function prestarted(): Map<string, Promise<EmbeddedPostgres>> {
  return ((globalThis as Record<symbol, Map<string, Promise<EmbeddedPostgres>>>)[PRESTARTED] ??= new Map());
}

/**
 * Begins opening the embedded database for `dataDir` now, for `EmbeddedPostgres.start` to take
 * later: the standalone server's loader calls it so PGlite's WASM compiles on another thread while
 * the server's code loads. A failure surfaces where it is taken.
 */
export function prestartEmbeddedPostgres(dataDir: string, freshFrom?: string): void {
  const key = resolve(dataDir);
  if (prestarted().has(key)) return;
  const starting = EmbeddedPostgres.start(key, freshFrom);
  starting.catch(() => undefined);
  prestarted().set(key, starting);
}

async function open(dataDir: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create({
    dataDir,
    // Small buffers keep the WASM heap (and so the process RSS) down; the embedded
    // server is for one node and modest data.
    postgresqlconf: ['shared_buffers=16MB', 'work_mem=4MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB'],
  });
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
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dataDir], { timeout: 120_000 });
}
