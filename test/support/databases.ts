import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { searchPathStatement } from '../../src/shared/database/database-schema.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import { optionalResource } from './optional-resource.js';

export type Backend = 'postgres' | 'pglite';

/** Every table ModelMora has today, in its schema (none in `public`). */
export const MODELMORA_TABLES = [
  'checkpoints', 'event_store', 'inference_job_inputs', 'inference_job_results', 'inference_jobs',
  'instances', 'modelmora_migrations', 'registry_model_versions', 'registry_models', 'snapshots',
];

/**
 * The database suites run on every backend available: embedded PGlite always, and a
 * real PostgreSQL when DATABASE_URL is set. CI sets MODELMORA_REQUIRE_POSTGRES=1 so a
 * missing server fails the run instead of quietly skipping.
 */
export function databaseBackends(): Backend[] {
  const all: Backend[] = postgresAvailable() ? ['postgres', 'pglite'] : ['pglite'];
  // CI's main pass names one backend: its newcomer step runs the same suites on PGlite alone.
  const only = process.env.MODELMORA_TEST_BACKENDS?.split(',').map((b) => b.trim());
  return only ? all.filter((b) => only.includes(b)) : all;
}

/** A real PostgreSQL (DATABASE_URL), for the suites that need one: skipped with the reason when absent. */
export function postgresAvailable(): boolean {
  return optionalResource('postgres', Boolean(process.env.DATABASE_URL), 'DATABASE_URL is not set: the database suites run on embedded PGlite only, the PostgreSQL-only ones are skipped');
}

export interface TestDatabase {
  backend: Backend;
  url?: string;
  dataDir: string;
  /** Where ModelMora's tables are (`modelmora` unless the suite chose another). */
  schema: string;
  opened: OpenedDatabase;
  db: Database;
  close(): Promise<void>;
}

/** Where an app or a suite keeps its data: a fresh PostgreSQL database, or a fresh PGlite folder. */
export interface TestStorage {
  backend: Backend;
  /** Tests keep their models in the OS temp folder and serve them from 127.0.0.1: both allowed here. */
  options: { databaseUrl?: string; dataDir: string; modelDir: string; sourceRoots: string[]; allowPrivateSources: boolean };
  cleanup(): Promise<void>;
}

export async function testStorage(backend: Backend): Promise<TestStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmora-test-'));
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (backend === 'postgres') {
    const name = `mm_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    databaseUrl = await createDatabase(process.env.DATABASE_URL!, name);
    drop = () => dropDatabase(process.env.DATABASE_URL!, name);
  }
  return {
    backend,
    options: { databaseUrl, dataDir: join(dir, 'data'), modelDir: join(dir, 'models'), sourceRoots: testSourceRoots(), allowPrivateSources: true },
    async cleanup() {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The OS temp folder (tests write their models there) and the libonnx test data (the repository's .cache, or MODELMORA_TESTDATA_DIR). */
export function testSourceRoots(): string[] {
  const testdata = process.env.MODELMORA_TESTDATA_DIR;
  return [tmpdir(), fileURLToPath(new URL('../..', import.meta.url)), ...(testdata ? [testdata] : [])];
}

/** A fresh, migrated database of the given backend, dropped on close. */
export async function openTestDatabase(backend: Backend, options: { schema?: string } = {}): Promise<TestDatabase> {
  const storage = await testStorage(backend);
  const opened = await openDatabase({ url: storage.options.databaseUrl, dataDir: storage.options.dataDir, schema: options.schema, ...modelMoraTables });
  return {
    backend,
    url: storage.options.databaseUrl,
    dataDir: storage.options.dataDir,
    schema: opened.schema,
    opened,
    db: new Database(opened.dataSource),
    async close() {
      await opened.close();
      await storage.cleanup();
    },
  };
}

/** A plain `pg` client of the suite's own, whose unqualified table names resolve in ModelMora's schema as the app's do. */
export async function schemaClient(url: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(searchPathStatement(schema));
  return client;
}

export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
