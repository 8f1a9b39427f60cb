import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { advisoryKey } from '../cluster/instance-id.js';
import { DEFAULT_DATABASE_SCHEMA, quotedSchema } from './database-schema.js';

export const MIGRATIONS_TABLE = 'modelmora_migrations';

/**
 * The tables ModelMora created in `public` before it had a schema, by the migration that
 * created them. Frozen: tables of later migrations are born in the schema.
 */
const LEGACY_PUBLIC_TABLES: Readonly<Record<string, readonly string[]>> = {
  EventStore1764000000000: ['event_store', 'snapshots', 'checkpoints'],
  RegistryReadModel1764000000100: ['registry_models', 'registry_model_versions'],
  InferenceReadModel1764000000300: ['inference_jobs', 'inference_job_inputs', 'inference_job_results'],
  Cluster1764000000500: ['instances'],
};

/**
 * Runs `work` (the migrations) once the schema exists and holds what an older ModelMora left in
 * `public`, under a session advisory lock: instances starting together take turns. `migrator`
 * must have ONE connection, so the lock and the work share a session.
 */
export async function withPreparedSchema<T>(migrator: DataSource, schema: string, work: () => Promise<T>): Promise<T> {
  const key = advisoryKey('migrations', schema, schema);
  await migrator.query(`SELECT pg_advisory_lock($1::bigint)`, [key]);
  try {
    await createSchema(migrator, schema);
    if (schema !== 'public') await migrator.transaction((m) => adoptLegacyTables(m, schema));
    return await work();
  } finally {
    await migrator.query(`SELECT pg_advisory_unlock($1::bigint)`, [key]).catch(() => undefined);
  }
}

// Looked up first: `CREATE SCHEMA IF NOT EXISTS` still needs the CREATE right on the database,
// which a role given a schema made by its DBA may lack.
async function createSchema(migrator: DataSource, schema: string): Promise<void> {
  const [found] = await migrator.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  if (!found) await migrator.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema(schema)}`);
}

/**
 * Tables an older ModelMora migrated into `public` move into the default schema, only those its
 * migrations recorded and in one transaction; never into another schema (it would take a live
 * deployment's data). docs/architecture.md, "The database", says why.
 */
async function adoptLegacyTables(m: EntityManager, schema: string): Promise<void> {
  const tablesIn = async (s: string) => new Set((await m.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [s])).map((r: { tablename: string }) => r.tablename));
  const [inPublic, inSchema] = [await tablesIn('public'), await tablesIn(schema)];
  if (!inPublic.has(MIGRATIONS_TABLE) || inSchema.has(MIGRATIONS_TABLE)) return;
  if (schema !== DEFAULT_DATABASE_SCHEMA) {
    new Logger('Database').warn({
      msg: `an older ModelMora's tables are in "public" and stay there: schema "${schema}" starts empty. To carry them over, start once with the default schema "${DEFAULT_DATABASE_SCHEMA}", or move them by hand`,
    });
    return;
  }
  const recorded = new Set((await m.query(`SELECT name FROM public.${MIGRATIONS_TABLE}`)).map((r: { name: string }) => r.name));
  const ours = Object.entries(LEGACY_PUBLIC_TABLES).filter(([migration]) => recorded.has(migration)).flatMap(([, tables]) => tables);
  const moving = [...ours.filter((t) => inPublic.has(t)), MIGRATIONS_TABLE];
  const clash = moving.find((t) => inSchema.has(t));
  if (clash) {
    throw new Error(
      `database schema "${schema}": ModelMora's tables are in "public" (an older version) but "${schema}" already has a table "${clash}"; ` +
        `move them by hand (ALTER TABLE public.<table> SET SCHEMA ${schema} for ${moving.join(', ')}), or set MODELMORA_DATABASE_SCHEMA=public to keep them where they are`,
    );
  }
  for (const t of moving) await m.query(`ALTER TABLE public.${t} SET SCHEMA ${quotedSchema(schema)}`);
  new Logger('Database').log({ msg: `moved ModelMora's tables from "public" into schema "${schema}"`, tables: moving });
}
