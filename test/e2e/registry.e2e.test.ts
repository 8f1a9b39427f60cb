import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { databaseBackends } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

const MINILM = 'sentence-transformers/all-MiniLM-L6-v2';
const enc = encodeURIComponent;
const SHA = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe.each(databaseBackends())('registry over HTTP on %s', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage);
    http = () => request(app.getHttpServer());
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('registers a model: 201 with the model and its first version', async () => {
    const res = await http().post('/api/v1/models').send({ model_id: MINILM, task_type: 'txt2embed', version: 'v2.2.2', display_name: 'MiniLM', checksum: SHA });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ model_id: MINILM, task_type: 'txt2embed', latest_version: 'v2.2.2', display_name: 'MiniLM' });
    expect(res.body.versions).toEqual([expect.objectContaining({ version: 'v2.2.2', checksum: SHA })]);
  });

  it('refuses a duplicate with 409 MODEL_ALREADY_EXISTS', async () => {
    const res = await http().post('/api/v1/models').send({ model_id: MINILM, task_type: 'txt2embed' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error_code: 'MODEL_ALREADY_EXISTS', message: expect.stringContaining(MINILM) });
  });

  it.each([
    ['an unknown task type', { model_id: 'a/b', task_type: 'telepathy' }, 'VALIDATION_ERROR'],
    ['a bad model id', { model_id: 'not an id', task_type: 'tensor' }, 'INVALID_MODEL_ID'],
    ['a bad checksum', { model_id: 'a/b', task_type: 'tensor', checksum: 'md5:1' }, 'INVALID_CHECKSUM'],
    ['an unknown field', { model_id: 'a/b', task_type: 'tensor', colour: 'red' }, 'VALIDATION_ERROR'],
    ['a missing field', { task_type: 'tensor' }, 'VALIDATION_ERROR'],
  ])('answers 400 for %s', async (_, body, code) => {
    const res = await http().post('/api/v1/models').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe(code);
    expect(typeof res.body.message).toBe('string');
  });

  it('answers 400 VALIDATION_ERROR for malformed JSON', async () => {
    const res = await http().post('/api/v1/models').set('Content-Type', 'application/json').send('{"model_id": "a/b",');
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('VALIDATION_ERROR');
  });

  it('gets a model by its URL-encoded id, and 404 MODEL_NOT_FOUND for an unknown one', async () => {
    const res = await http().get(`/api/v1/models/${enc(MINILM)}`);
    expect(res.status).toBe(200);
    expect(res.body.model_id).toBe(MINILM);
    const missing = await http().get(`/api/v1/models/${enc('nobody/nothing')}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('MODEL_NOT_FOUND');
  });

  it('lists with a task_type filter and pagination meta', async () => {
    for (const id of ['acme/t1', 'acme/t2', 'acme/t3']) {
      expect((await http().post('/api/v1/models').send({ model_id: id, task_type: 'tensor' })).status).toBe(201);
    }
    const page = await http().get('/api/v1/models?task_type=tensor&page=2&page_size=2');
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: { model_id: string }) => m.model_id)).toEqual(['acme/t3']);
    expect(page.body.meta).toEqual({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    const bad = await http().get('/api/v1/models?page=0');
    expect(bad.status).toBe(400);
  });

  it('adds a version (201), refuses it twice (409), updates (200)', async () => {
    const added = await http().post(`/api/v1/models/${enc(MINILM)}/versions`).send({ version: 'v2.3.0', checksum: SHA });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ model_id: MINILM, version: 'v2.3.0', checksum: SHA });
    const again = await http().post(`/api/v1/models/${enc(MINILM)}/versions`).send({ version: 'v2.3.0' });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('VERSION_ALREADY_EXISTS');
    const updated = await http().put(`/api/v1/models/${enc(MINILM)}`).send({ description: 'sentence embeddings', config: { max_batch_size: 8 } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'sentence embeddings', config: { max_batch_size: 8 }, latest_version: 'v2.3.0' });
  });

  it('unregisters with 204, after which the model is gone', async () => {
    expect((await http().delete(`/api/v1/models/${enc('acme/t3')}`)).status).toBe(204);
    expect((await http().get(`/api/v1/models/${enc('acme/t3')}`)).status).toBe(404);
    expect((await http().delete(`/api/v1/models/${enc('acme/t3')}`)).status).toBe(404);
  });

  it('serves the audit trail: the seed envelope for each event, in order', async () => {
    // Readers see a commit once every older transaction on the server has ended (other suites').
    const res = await eventually(async () => {
      const r = await http().get('/api/v1/events?limit=1000');
      return r.status === 200 && r.body.items.length >= 7 && r;
    }, 'the seven catalog events to settle');
    const types = res.body.items.map((e: { event_type: string }) => e.event_type);
    expect(types).toEqual([
      'model.registered', 'model.registered', 'model.registered', 'model.registered',
      'model.version.added', 'model.updated', 'model.unregistered',
    ]);
    for (const e of res.body.items) {
      expect(Object.keys(e).sort()).toEqual(['aggregate_id', 'aggregate_type', 'event_id', 'event_type', 'payload', 'timestamp', 'version']);
      expect(e).toMatchObject({ aggregate_type: 'model_catalog', version: 1 });
      expect(e.event_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
    }
    expect(res.body.items[0].payload).toMatchObject({ model_id: MINILM, task_type: 'txt2embed', version: 'v2.2.2' });
    expect(res.body.items[4].payload).toEqual({ model_id: MINILM, version: 'v2.3.0', checksum: SHA, source_url: null });
    expect(res.body.items[6].payload).toEqual({ model_id: 'acme/t3' });
    const filtered = await http().get(`/api/v1/events?event_type=model.version.added&after_position=0`);
    expect(filtered.body.items).toHaveLength(1);
    expect((await http().get('/api/v1/events?after_position=-1')).status).toBe(400);
  });

  it('serialises 20 concurrent registrations on one catalog without losing or failing any', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst/m${i}`);
    const results = await Promise.all(ids.map((model_id) => http().post('/api/v1/models').send({ model_id, task_type: 'tensor' })));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 201));
    const listed = await http().get('/api/v1/models?page_size=200');
    expect(listed.body.items.filter((m: { model_id: string }) => m.model_id.startsWith('burst/'))).toHaveLength(20);
  });

  it('answers the probes and serves OpenAPI', async () => {
    expect((await http().get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.components.database).toEqual({ status: 'up' });
    const docs = await http().get('/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/v1/models', '/api/v1/models/{model_id}', '/api/v1/events']));
  });
});
