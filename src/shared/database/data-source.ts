import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { allMigrations } from './migrations/index.js';

export interface DatabaseOptions {
  /** postgres://… of a real server; unset → embedded PGlite under `dataDir`. */
  url?: string;
  dataDir: string;
  poolSize?: number;
  entities: MixedList<Function | string | EntitySchema>;
  /** Extra migrations of the host (our own always run first). */
  migrations?: Function[];
}

export interface OpenedDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

/**
 * Opens TypeORM's `postgres` driver on either a real server or the embedded one and
 * runs the migrations. Against PGlite the pool has one connection: the engine runs one
 * transaction at a time anyway, and a second connection could only wait (or deadlock).
 */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  const embedded = options.url ? undefined : await EmbeddedPostgres.start(options.dataDir);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url ?? embedded!.url,
    entities: options.entities,
    migrations: [...allMigrations, ...(options.migrations ?? [])],
    migrationsTableName: 'modelmora_migrations',
    synchronize: false,
    logging: false,
    extra: { max: embedded ? 1 : (options.poolSize ?? 10) },
  });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
