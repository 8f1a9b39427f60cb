import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Database } from '../../src/shared/database/database.js';
import { eventually } from '../support/eventually.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

/** Stop the app and start it again on the same embedded data directory: nothing acknowledged is lost. */
describe('restart on the same PGlite data dir', () => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await testStorage('pglite');
  });
  afterAll(() => storage?.cleanup());

  it('keeps the catalog, the read model and the log, refuses a duplicate, and rebuilds the read model from the log', async () => {
    const first = await startTestApp(storage);
    const created = await request(first.getHttpServer()).post('/api/v1/models').send({ model_id: 'acme/durable', task_type: 'tensor', version: 'v1' });
    expect(created.status).toBe(201);
    await request(first.getHttpServer()).post(`/api/v1/models/${encodeURIComponent('acme/durable')}/versions`).send({ version: 'v2' });
    await first.close();

    const second = await startTestApp(storage);
    try {
      const http = () => request(second.getHttpServer());
      const got = await http().get(`/api/v1/models/${encodeURIComponent('acme/durable')}`);
      expect(got.status).toBe(200);
      expect(got.body.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v2']);
      const dup = await http().post('/api/v1/models').send({ model_id: 'acme/durable', task_type: 'tensor' });
      expect(dup.status).toBe(409);
      expect(dup.body.error_code).toBe('MODEL_ALREADY_EXISTS');
      const types = await eventually(async () => {
        const log = await http().get('/api/v1/events?aggregate_id=770e8400-e29b-41d4-a716-446655440003');
        return log.body.items.length >= 2 && log.body.items.map((e: { event_type: string }) => e.event_type);
      }, 'the two catalog events to settle');
      expect(types).toEqual(['model.registered', 'model.version.added']);
      // The read model is disposable: wipe it, then rebuild it from the log with the CLI.
      await second.get(Database).query('DELETE FROM registry_model_versions');
      await second.get(Database).query('DELETE FROM registry_models');
      expect((await http().get(`/api/v1/models/${encodeURIComponent('acme/durable')}`)).status).toBe(404);
    } finally {
      await second.close();
    }
    const out = execFileSync(process.execPath, ['dist/src/main.js', '--rebuild-projections'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', MODELMORA_DATA_DIR: storage.options.dataDir },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ msg: 'projections rebuilt', events: 2 });

    const third = await startTestApp(storage);
    try {
      const got = await request(third.getHttpServer()).get(`/api/v1/models/${encodeURIComponent('acme/durable')}`);
      expect(got.status).toBe(200);
      expect(got.body.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v2']);
    } finally {
      await third.close();
    }
  }, 120_000);
});
