import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { AppModules } from './app-modules.js';

export type DatabaseKind = 'postgresql' | 'pglite';

/**
 * The run's database. With DATABASE_URL: a fresh database on that server, created at
 * the start and dropped at the end, shared by every case (the app server, the bench's
 * own store, pg-boss's schema). Without: embedded PGlite — one data folder for the
 * bench's own store and a fresh one per app server (a PGlite folder has one owner).
 */
export class BenchDatabase {
  private readonly dirs: string[] = [];

  private constructor(
    readonly kind: DatabaseKind,
    /** The fresh database's URL (postgresql only). */
    readonly url: string | undefined,
    private readonly drop: () => Promise<void>,
  ) {}

  static async create(serverUrl: string | undefined): Promise<BenchDatabase> {
    if (!serverUrl) return new BenchDatabase('pglite', undefined, async () => {});
    const name = `mm_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    return new BenchDatabase('postgresql', u.toString(), () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `modelmora-bench-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Environment for an app server process on this database. */
  serverEnv(): Record<string, string> {
    return this.url ? { DATABASE_URL: this.url } : { MODELMORA_DATA_DIR: this.tempDir('server-data') };
  }

  /** The app's Database on this database (migrated), plus a plain `pg` URL to the same one and the schema of the app's tables. */
  async open(app: AppModules): Promise<{ db: InstanceType<AppModules['database']['Database']>; rawUrl: string; schema: string; close(): Promise<void> }> {
    const opened = await app.dataSource.openDatabase({
      url: this.url,
      dataDir: this.tempDir('store-data'),
      ...app.features.modelMoraTables,
      poolSize: 10,
    });
    const rawUrl = this.url ?? opened.embedded!.url;
    return { db: new app.database.Database(opened.dataSource), rawUrl, schema: opened.schema, close: () => opened.close() };
  }

  async dispose(): Promise<void> {
    try {
      await this.drop();
    } finally {
      for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    }
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
