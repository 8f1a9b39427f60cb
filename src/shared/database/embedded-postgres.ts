import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL in-process (PGlite, PostgreSQL compiled to WASM) behind its socket server,
 * so the very same `pg`/TypeORM driver and migrations run on it as on a real server.
 *
 * PGlite executes one transaction at a time: the socket server queues the rest. The
 * data source therefore uses ONE pooled connection against it (see data-source.ts),
 * which makes "a query on another connection waits on an open transaction" impossible.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(dataDir);
    const db = await open(dataDir);
    // Loaded here, not at the top: the server's bundle would otherwise load PGlite on PostgreSQL too.
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const [host, port] = server.getServerConn().split(':');
    return new EmbeddedPostgres(db, server, host!, Number(port));
  }

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
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

async function initialise(dataDir: string): Promise<void> {
  let template: string | undefined;
  try {
    template = await ensurePgliteTemplate();
  } catch {
    // No writable place for the template (a read-only install): initialise in place.
  }
  if (template) cpSync(template, dataDir, { recursive: true });
  else await initdbInChild(dataDir);
}

/**
 * A fresh data folder is a copy of one initialised at build time (`npm install` builds it
 * into `dist/pglite-template`): initdb costs seconds, a copy of its 40 MB milliseconds.
 * Made here on first need when the build did not (an installed package); scripts/build.mjs calls it.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  const template = join(packageRoot(), 'dist', 'pglite-template');
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
