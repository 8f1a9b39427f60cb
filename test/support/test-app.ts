import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createServer } from '../../src/bootstrap.js';
import type { ModelMoraOptionsInput } from '../../src/shared/config/modelmora-options.js';
import { createDatabase, dropDatabase, type Backend } from './databases.js';

/** Where an app under test keeps its data: a fresh PostgreSQL database, or a fresh PGlite folder. */
export interface TestStorage {
  backend: Backend;
  options: Pick<ModelMoraOptionsInput, 'databaseUrl' | 'dataDir' | 'modelDir'>;
  cleanup(): Promise<void>;
}

export async function testStorage(backend: Backend): Promise<TestStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmora-e2e-'));
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (backend === 'postgres') {
    const name = `mm_e2e_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    databaseUrl = await createDatabase(process.env.DATABASE_URL!, name);
    drop = () => dropDatabase(process.env.DATABASE_URL!, name);
  }
  return {
    backend,
    options: { databaseUrl, dataDir: join(dir, 'data'), modelDir: join(dir, 'models') },
    async cleanup() {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The standalone server's app (same filters, pipes, OpenAPI), initialised but not listening. */
export async function startTestApp(storage: TestStorage, options: ModelMoraOptionsInput = {}): Promise<INestApplication> {
  const app = await createServer({ ...storage.options, ...options }, 'warn');
  await app.init();
  return app;
}
