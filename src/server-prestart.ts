import { existsSync, renameSync, rmSync, cpSync } from 'node:fs';
import { resolveOptions } from './shared/config/modelmora-options.js';
import { optionsFromEnv } from './shared/config/options-from-env.js';
import { DEFAULT_DATABASE_SCHEMA } from './shared/database/database-schema.js';
import { pgliteTemplateDir, prestartEmbeddedPostgres } from './shared/database/embedded-postgres.js';

/** The standalone server's own template: the plain one with every migration of its default schema run. */
const SERVER_TEMPLATE = 'pglite-template-server';

/**
 * Called by the standalone server's loader before it loads the server's bundle: the embedded
 * database, when the environment asks for one, opens meanwhile (PGlite's WASM compiles on another
 * thread). A fresh data folder in the default schema starts as a copy of the server's migrated
 * template, so a first start skips creating the tables. A configuration error is left for the
 * server to report in its own words.
 */
export function prestartFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  let options;
  try {
    options = resolveOptions(optionsFromEnv(env));
  } catch {
    return;
  }
  if (options.databaseUrl) return;
  prestartEmbeddedPostgres(options.dataDir, options.databaseSchema === DEFAULT_DATABASE_SCHEMA ? pgliteTemplateDir(SERVER_TEMPLATE) : undefined);
}

/** Build time (scripts/build.mjs): the server's template, remade from the plain one with this build's migrations. */
export async function buildServerTemplate(): Promise<string> {
  await import('reflect-metadata'); // before the entities' decorators run
  const [{ ensurePgliteTemplate }, { openDatabase }, { modelMoraTables }] = await Promise.all([
    import('./shared/database/embedded-postgres.js'),
    import('./shared/database/data-source.js'),
    import('./modelmora.features.js'),
  ]);
  const target = pgliteTemplateDir(SERVER_TEMPLATE);
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(await ensurePgliteTemplate(), staging, { recursive: true });
  const opened = await openDatabase({ dataDir: staging, ...modelMoraTables });
  await opened.close();
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  if (!existsSync(target)) throw new Error(`server template: ${target} was not made`);
  return target;
}
