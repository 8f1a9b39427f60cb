/**
 * ModelMora's tables live in a schema of their own (default `modelmora`): a host app on the
 * same database keeps `public`, where generic names such as `snapshots` would collide.
 */
export const DEFAULT_DATABASE_SCHEMA = 'modelmora';

// Lower case, so `psql` users can type it unquoted; 46 characters at most, so the store's
// notification channel (`modelmora_events_<schema>`) stays within PostgreSQL's 63.
const VALID = /^[a-z_][a-z0-9_]{0,45}$/;

/** Why a schema name is unusable, or undefined when it is fine. It is spliced into SQL: nothing else may pass. */
export function databaseSchemaProblem(name: string): string | undefined {
  if (!VALID.test(name)) return `must be a plain identifier (1–46 of a-z, 0-9, '_', not starting with a digit), got "${name}"`;
  if (name.startsWith('pg_')) return `must not start with "pg_" (reserved by PostgreSQL), got "${name}"`;
  return undefined;
}

/** The schema name, double-quoted; throws on a name databaseSchemaProblem refuses. */
export function quotedSchema(name: string): string {
  const problem = databaseSchemaProblem(name);
  if (problem) throw new Error(`database schema ${problem}`);
  return `"${name}"`;
}

/**
 * Sent first on every session ModelMora opens (pool and dedicated connections), so the raw SQL
 * of every context resolves `event_store`, `checkpoints`… in the schema without naming it. The
 * schema alone, without `public`: a missing table is an error, never the host's namesake.
 */
export function searchPathStatement(schema: string): string {
  return `SET search_path TO ${quotedSchema(schema)}`;
}
