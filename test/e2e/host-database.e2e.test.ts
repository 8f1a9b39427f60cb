import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Database } from '../../src/shared/database/database.js';
import { EmbeddedPostgres } from '../../src/shared/database/embedded-postgres.js';
import { databaseBackends, MODELMORA_TABLES } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

/** The host's own `snapshots`, on its own TypeORM connection (the collision issue 14 reported). */
@Entity('snapshots')
class HostSnapshot {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  document!: string;
}

/** Tables the host made in `public` before ModelMora first started (on PGlite: in the same data folder). */
async function hostMadeTables(storage: TestStorage): Promise<void> {
  const embedded = storage.options.databaseUrl ? undefined : await EmbeddedPostgres.start(storage.options.dataDir);
  const client = new pg.Client({ connectionString: storage.options.databaseUrl ?? embedded!.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE public.event_store (id serial PRIMARY KEY, note text NOT NULL)`);
    await client.query(`INSERT INTO public.event_store (note) VALUES ('the host''s own')`);
    await client.query(`CREATE TABLE public.snapshots (id serial PRIMARY KEY, document text NOT NULL)`);
  } finally {
    await client.end();
    await embedded?.stop();
  }
}

async function tablesOf(app: INestApplication, schema: string): Promise<string[]> {
  const rows = await app.get(Database).query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

async function register(app: INestApplication, modelId: string): Promise<void> {
  const res = await request(app.getHttpServer()).post('/api/v1/models').send({ model_id: modelId, task_type: 'tensor' });
  expect(res.status).toBe(201);
}

async function modelIds(app: INestApplication): Promise<string[]> {
  const res = await request(app.getHttpServer()).get('/api/v1/models');
  expect(res.status).toBe(200);
  return res.body.items.map((m: { model_id: string }) => m.model_id).sort();
}

describe.each(databaseBackends())('ModelMora beside the host\'s tables in one database (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let stopped = false;

  beforeAll(async () => {
    storage = await testStorage(backend);
    await hostMadeTables(storage);
    app = await startTestApp(storage);
  });
  afterAll(async () => {
    if (!stopped) await app?.close();
    await storage?.cleanup();
  });

  it('keeps every table of its own in the `modelmora` schema and none in `public`', async () => {
    await register(app, 'host-db/first');
    expect(await tablesOf(app, 'modelmora')).toEqual(MODELMORA_TABLES);
    expect(await tablesOf(app, 'public')).toEqual(['event_store', 'snapshots']); // the host's, and only those
    const [event] = await app.get(Database).query(`SELECT event_type FROM modelmora.event_store WHERE payload->>'model_id' = 'host-db/first'`);
    expect(event).toEqual({ event_type: 'model.registered' });
  });

  it('leaves the host\'s same-named tables as they were', async () => {
    const rows = await app.get(Database).query(`SELECT * FROM public.event_store`);
    expect(rows).toEqual([{ id: 1, note: "the host's own" }]);
    const columns = await app.get(Database).query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'snapshots' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'document']);
  });

  if (backend === 'postgres') {
    it('works while the host uses its own TypeORM connection on the same tables\' names', async () => {
      const host = new DataSource({ type: 'postgres', url: storage.options.databaseUrl, entities: [HostSnapshot], synchronize: true });
      await host.initialize();
      try {
        await host.getRepository(HostSnapshot).insert({ document: 'invoice 7' });
        await register(app, 'host-db/beside');
        expect(await host.getRepository(HostSnapshot).find()).toEqual([{ id: 1, document: 'invoice 7' }]);
        expect(await modelIds(app)).toEqual(['host-db/beside', 'host-db/first']);
      } finally {
        await host.destroy();
      }
    });
  }

  it('a deployment in another schema of the same database is a world of its own', async () => {
    // On PostgreSQL both run at once (same instance id: the lease's lock key is per schema);
    // a PGlite folder has one owner, so there the first stops first.
    if (backend === 'pglite') {
      stopped = true;
      await app.close();
    }
    const other = await startTestApp(storage, { databaseSchema: 'tenant_b' });
    try {
      expect(await modelIds(other)).toEqual([]);
      await register(other, 'tenant-b/only');
      expect(await modelIds(other)).toEqual(['tenant-b/only']);
      expect(await tablesOf(other, 'tenant_b')).toEqual(MODELMORA_TABLES);
      expect(await tablesOf(other, 'public')).toEqual(['event_store', 'snapshots']);
      if (backend === 'postgres') expect(await modelIds(app)).toEqual(['host-db/beside', 'host-db/first']);
    } finally {
      await other.close();
    }
  });
});
