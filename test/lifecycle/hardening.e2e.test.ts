import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { committedEvents } from '../support/committed-events.js';
import { databaseBackends } from '../support/databases.js';
import { eventually, isAlive } from '../support/server-process.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { writeExpandModel } from '../workers/fixtures/expand-model.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;

describe(`lifecycle hardening, whole app (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let models: string;
  let http: () => ReturnType<typeof request>;
  const events = async (type: string, modelId: string) => (await committedEvents(app, type)).filter((e) => e.payload.model_id === modelId);
  const register = async (modelId: string, path: string) => {
    const res = await http().post('/api/v1/models').send({ model_id: modelId, task_type: 'tensor', source_url: pathToFileURL(path).href, checksum: await fileChecksum(path) });
    expect(res.status).toBe(201);
  };
  const matmulInput = { x: { dims: [1, 4], data: [1, 0, 0, 0] } };

  beforeAll(async () => {
    storage = await testStorage(backend);
    models = mkdtempSync(join(tmpdir(), 'modelmora-hardening-'));
    app = await startTestApp(storage, { maxOutputMb: 1, crashLoopMaxCrashes: 2, crashLoopWindowMs: 10 * 60_000 });
    http = () => request(app.getHttpServer());
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
    rmSync(models, { recursive: true, force: true });
  });

  it('stops reloading a crash-looping model, refuses lazy loads, and loads it again on an explicit load', async () => {
    const model = 'hardening/crashy';
    await register(model, writeMatMulModel(join(models, 'crashy')));
    expect((await http().post(`/api/v1/models/${enc(model)}/load`).send({})).status).toBe(200);

    // Given a worker killed twice: the first crash is reloaded, the second opens the breaker.
    // The audit trail shows settled records: wait for them rather than read once.
    const first = await eventually(async () => (await events('model.loaded', model))[0]?.payload.process_id as number | undefined, 'the first load on record');
    process.kill(first, 'SIGKILL');
    const second = await eventually(async () => (await events('model.loaded', model))[1]?.payload.process_id as number | undefined, 'the reload after the first crash', 30_000);
    process.kill(second, 'SIGKILL');
    await eventually(async () => (await events('model.unloaded', model)).filter((e) => e.payload.reason === 'crashed').length === 2, 'the second crash', 30_000);

    // When a job asks for it, then: no lazy load, a LOAD_FAILED that says why.
    const infer = await http().post(`/api/v1/infer/${enc(model)}`).send({ inputs: matmulInput });
    expect(infer.body).toMatchObject({ error_code: 'LOAD_FAILED', message: expect.stringContaining('crashed 2 times within 600 s') });
    expect(await events('model.loaded', model)).toHaveLength(2);
    expect(await events('model.load.started', model)).toHaveLength(2);

    // An explicit load closes the breaker.
    const load = await http().post(`/api/v1/models/${enc(model)}/load`).send({});
    expect(load.status).toBe(200);
    expect(isAlive(load.body.pid)).toBe(true);
    expect((await http().post(`/api/v1/infer/${enc(model)}`).send({ inputs: matmulInput })).status).toBe(200);
  }, 90_000);

  it('fails a request whose output is over MODELMORA_MAX_OUTPUT_MB with 422 OUTPUT_TOO_LARGE, and the model keeps serving', async () => {
    const model = 'hardening/expand';
    await register(model, writeExpandModel(join(models, 'expand')));
    const ask = (rows: number, cols: number) => ({ inputs: { x: { dims: [1], data: [3] }, shape: { dims: [2], type: 'int64', data: [rows, cols] } } });

    const big = await http().post(`/api/v1/infer/${enc(model)}`).send(ask(1024, 1024));
    expect(big.status).toBe(422);
    expect(big.body).toMatchObject({ error_code: 'OUTPUT_TOO_LARGE', message: expect.stringContaining('over the per-request limit of 1048576 bytes') });

    const small = await http().post(`/api/v1/infer/${enc(model)}`).send(ask(2, 2));
    expect(small.status).toBe(200);
    expect(small.body.outputs.y).toEqual({ dims: [2, 2], type: 'float32', data: [3, 3, 3, 3] });
  }, 60_000);

  it('removes the cached files of an unregistered model', async () => {
    const model = 'hardening/removed';
    await register(model, writeMatMulModel(join(models, 'removed')));
    expect((await http().post(`/api/v1/models/${enc(model)}/load`).send({})).status).toBe(200);
    const cached = join(storage.options.modelDir, 'hardening', 'removed');
    expect(existsSync(join(cached, 'main', 'model.onnx'))).toBe(true);

    expect((await http().delete(`/api/v1/models/${enc(model)}`)).status).toBe(204);

    await eventually(() => !existsSync(cached), 'the cached files to go', 30_000);
  }, 60_000);

  it('refuses a source_url with credentials, and stores no trace of them', async () => {
    const res = await http().post('/api/v1/models').send({ model_id: 'hardening/secret', task_type: 'tensor', source_url: 'https://bob:hunter2@models.example/m.onnx' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 'VALIDATION_ERROR', message: expect.stringContaining('must not contain credentials') });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(JSON.stringify((await http().get('/api/v1/events?limit=1000')).body)).not.toContain('hunter2');
  });

  it('refuses a file:// source outside the allowed roots as "not allowed or not found", at registration already', async () => {
    const res = await http().post('/api/v1/models').send({ model_id: 'hardening/passwd', task_type: 'tensor', source_url: 'file:///etc/passwd' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error_code: 'SOURCE_NOT_ALLOWED', message: expect.stringContaining('is not allowed or not found') });
  });
});
