import type pg from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { DEFAULT_OPTIONS, type DatabaseTimeouts } from '../config/modelmora-options.js';
import { searchPathStatement } from './database-schema.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';
import { EmbeddedSessionLeftovers, watchRetirements } from './embedded-session.js';
import { kernelMigrations } from './migrations/kernel-migrations.js';
import { MIGRATIONS_TABLE, withPreparedSchema } from './schema-setup.js';

export interface DatabaseOptions {
  /** postgres://… of a real server; unset → embedded PGlite under `dataDir`. */
  url?: string;
  dataDir: string;
  poolSize?: number;
  /** Where every table of ModelMora lives; default DEFAULT_OPTIONS.databaseSchema (`modelmora`). */
  schema?: string;
  /** Defaults: DEFAULT_OPTIONS.databaseTimeouts. */
  timeouts?: Partial<DatabaseTimeouts>;
  /** The contexts' records (see ContextFeature). */
  entities: MixedList<Function | string | EntitySchema>;
  /** The contexts' migrations; the kernel's own always run (TypeORM orders all by timestamp). */
  migrations?: Function[];
}

export interface OpenedDatabase {
  dataSource: DataSource;
  /** ModelMora's schema: every session of the pool has it as its search_path. */
  schema: string;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

/**
 * Opens TypeORM's `postgres` driver on a real server or the embedded one and runs the migrations
 * (first, on their own connection, without timeouts). Why one pooled connection on PGlite, the
 * search_path SET on connect, and nothing else per session there: docs/architecture.md, "The database".
 */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  const schema = options.schema ?? DEFAULT_OPTIONS.databaseSchema;
  const searchPath = searchPathStatement(schema); // throws on a name that is not a plain identifier
  // PGlite's code loads only when it is used: on PostgreSQL it would cost start-up time and memory for nothing.
  const embedded = options.url ? undefined : await (await import('./embedded-postgres.js')).EmbeddedPostgres.start(options.dataDir);
  const timeouts = { ...DEFAULT_OPTIONS.databaseTimeouts, ...options.timeouts };
  const leftovers = embedded ? new EmbeddedSessionLeftovers() : undefined;
  const onConnect = async (client: pg.PoolClient) => {
    await leftovers?.sweep(client);
    await client.query(searchPath);
  };
  const dataSourceOf = (extra: Record<string, unknown>) => new DataSource({
    type: 'postgres',
    url: options.url ?? embedded!.url,
    schema,
    entities: options.entities,
    migrations: [...kernelMigrations, ...(options.migrations ?? [])],
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    // pg-pool runs onConnect on every new connection before handing it out.
    extra: { keepAlive: true, onConnect, ...extra },
  });
  // The embedded server is this process's own child on loopback: it cannot be unreachable, and on
  // a slow machine a timeout there would only turn a wait for its one connection into a 503.
  const guarded = embedded ? { idleTimeoutMillis: 0 } : { connectionTimeoutMillis: timeouts.connectMs, ...sessionTimeouts(timeouts) };
  const migrator = dataSourceOf({ max: 1, ...(embedded ? {} : { connectionTimeoutMillis: timeouts.connectMs }) });
  const dataSource = dataSourceOf({ max: embedded ? 1 : (options.poolSize ?? 10), ...guarded });
  try {
    await migrator.initialize();
    await withPreparedSchema(migrator, schema, () => migrator.runMigrations({ transaction: 'each' }));
    await migrator.destroy();
    await dataSource.initialize();
    if (leftovers) watchRetirements((dataSource.driver as unknown as { master: pg.Pool }).master, leftovers);
  } catch (err) {
    if (migrator.isInitialized) await migrator.destroy();
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    schema,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/**
 * `pg` sends these as startup parameters of every pooled session; 0 leaves the server's
 * default (PGlite would ignore them: it runs in-process, one statement at a time). The client-side
 * `query_timeout` lets a statement end even when the network swallows the server's answer.
 */
function sessionTimeouts(t: DatabaseTimeouts): Record<string, number> {
  const out: Record<string, number> = {};
  if (t.statementMs > 0) {
    out.statement_timeout = t.statementMs;
    out.query_timeout = t.statementMs + Math.max(t.connectMs, 1_000);
  }
  if (t.lockMs > 0) out.lock_timeout = t.lockMs;
  if (t.idleInTransactionMs > 0) out.idle_in_transaction_session_timeout = t.idleInTransactionMs;
  return out;
}
