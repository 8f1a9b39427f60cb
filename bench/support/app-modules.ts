/**
 * The app's modules as COMPILED by tsc (dist/): tsx/esbuild drops decorator metadata,
 * and Nest's injection and TypeORM's records need it, so nothing the server runs is
 * imported from src/ under tsx. Types still come from the sources (`typeof import`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST_SRC = join(ROOT, 'dist', 'src');

/** `npm run build` (tsc, then the server's bundle). A failed build falls back to an existing dist/ with a warning, since the bench measures, it does not gate. */
export async function buildApp(log: (line: string) => void): Promise<void> {
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    log(`built dist/ (tsc and the server's bundle) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const out = String((err as { stdout?: string }).stdout ?? err).split('\n').slice(0, 20).join('\n');
    if (!existsSync(join(DIST_SRC, 'main.js'))) throw new Error(`npm run build failed and there is no dist/ to fall back on:\n${out}`);
    log(`WARNING: tsc failed, benchmarking the existing dist/ (may be stale):\n${out}`);
  }
}

export const distPath = (rel: string): string => join(DIST_SRC, rel);

async function load<T>(rel: string): Promise<T> {
  return (await import(pathToFileURL(distPath(rel)).href)) as T;
}

export interface AppModules {
  eventStore: typeof import('../../src/shared/event-store/event-store.js');
  checkpoints: typeof import('../../src/shared/event-store/checkpoint-store.js');
  database: typeof import('../../src/shared/database/database.js');
  dataSource: typeof import('../../src/shared/database/data-source.js');
  features: typeof import('../../src/modelmora.features.js');
  envelope: typeof import('../../src/shared/domain/event-envelope.js');
  registry: typeof import('../../src/shared/domain/event-type-registry.js');
  worker: typeof import('../../src/lifecycle/infrastructure/workers/worker-process.js');
  modelFiles: typeof import('../../src/lifecycle/infrastructure/model-files/index.js');
}

let cached: Promise<AppModules> | undefined;

export function appModules(): Promise<AppModules> {
  cached ??= (async () => {
    await import('reflect-metadata');
    const [eventStore, checkpoints, database, dataSource, features, envelope, registry, worker, modelFiles] = await Promise.all([
      load<AppModules['eventStore']>('shared/event-store/event-store.js'),
      load<AppModules['checkpoints']>('shared/event-store/checkpoint-store.js'),
      load<AppModules['database']>('shared/database/database.js'),
      load<AppModules['dataSource']>('shared/database/data-source.js'),
      load<AppModules['features']>('modelmora.features.js'),
      load<AppModules['envelope']>('shared/domain/event-envelope.js'),
      load<AppModules['registry']>('shared/domain/event-type-registry.js'),
      load<AppModules['worker']>('lifecycle/infrastructure/workers/worker-process.js'),
      load<AppModules['modelFiles']>('lifecycle/infrastructure/model-files/index.js'),
    ]);
    return { eventStore, checkpoints, database, dataSource, features, envelope, registry, worker, modelFiles };
  })();
  return cached;
}

/** Loaded only when the relay case runs (no Kafka, no import). */
export const kafkaModules = () =>
  Promise.all([
    load<typeof import('../../src/shared/kafka/kafka-relay.js')>('shared/kafka/kafka-relay.js'),
    load<typeof import('../../src/shared/kafka/kafka-relay.broker.js')>('shared/kafka/kafka-relay.broker.js'),
    load<typeof import('../../src/shared/kafka/kafka-client.factory.js')>('shared/kafka/kafka-client.factory.js'),
    load<typeof import('../../src/shared/kafka/event-message.mapper.js')>('shared/kafka/event-message.mapper.js'),
    load<typeof import('../../src/shared/event-store/serialized-event.js')>('shared/event-store/serialized-event.js'),
  ]).then(([relay, broker, client, mapper, serialized]) => ({ relay, broker, client, mapper, serialized }));
