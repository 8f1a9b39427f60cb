import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { committedEvents } from '../support/committed-events.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase } from '../support/onnx-testdata.js';
import { eventually, isAlive } from '../support/server-process.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;

describeWithOnnxTestdata()(`model lifecycle against real workers (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;
  let matmulUrl: string;
  let matmulSha: string;

  const events = (type: string) => committedEvents(app, type);
  const workerPids = async () =>
    ((await http().get('/api/v1/status')).body.models as Array<{ pid: number | null }>).map((m) => m.pid).filter((pid) => pid !== null);
  const register = (model_id: string, extra: Record<string, unknown> = {}) =>
    http().post('/api/v1/models').send({ model_id, task_type: 'tensor', source_url: matmulUrl, checksum: matmulSha, ...extra });

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage, { maxModels: 2, maxMemoryMb: 2048, healthCheckIntervalMs: 500, memorySampleIntervalMs: 500 });
    http = () => request(app.getHttpServer());
    const testCase = await loadOnnxTestCase('node/test_matmul_2d');
    matmulUrl = pathToFileURL(testCase.modelPath).href;
    matmulSha = await fileChecksum(testCase.modelPath);
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('loads a real ONNX model into its own process and records model.loaded with its pid and RSS', async () => {
    expect((await register('onnx/matmul-2d')).status).toBe(201);
    const res = await http().post(`/api/v1/models/${enc('onnx/matmul-2d')}/load`).send({});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_id: 'onnx/matmul-2d', state: 'loaded', version: 'main' });
    expect(isAlive(res.body.pid)).toBe(true);
    expect(res.body.pid).not.toBe(process.pid);
    const [loaded] = await events('model.loaded');
    expect(loaded!.payload).toMatchObject({ model_id: 'onnx/matmul-2d', version: 'main', process_id: res.body.pid });
    expect(loaded!.payload.memory_mb).toBeGreaterThan(10);
    const details = await http().get(`/api/v1/models/${enc('onnx/matmul-2d')}`);
    expect(details.body.lifecycle.state).toBe('loaded');
    expect(details.body.io.inputs).toEqual([{ name: 'a', type: 'float32', dims: [3, 4] }, { name: 'b', type: 'float32', dims: [4, 3] }]);
    const warm = await http().post(`/api/v1/models/${enc('onnx/matmul-2d')}/warmup`);
    expect(warm.status).toBe(200);
    const status = await http().get('/api/v1/status');
    expect(status.body.totals).toMatchObject({ models_loaded: 1, max_models: 2, max_memory_mb: 2048 });
    expect(status.body.models[0]).toMatchObject({ model_id: 'onnx/matmul-2d', state: 'loaded', pid: res.body.pid });
  });

  it('loads a model once when two loads race', async () => {
    expect((await register('onnx/raced')).status).toBe(201);
    const [a, b] = await Promise.all([
      http().post(`/api/v1/models/${enc('onnx/raced')}/load`).send({}),
      http().post(`/api/v1/models/${enc('onnx/raced')}/load`).send({}),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.pid).toBe(b.body.pid);
    expect((await events('model.loaded')).filter((e) => e.payload.model_id === 'onnx/raced')).toHaveLength(1);
  });

  it('evicts the least recently used model when max_models (2) is reached', async () => {
    await http().post(`/api/v1/models/${enc('onnx/raced')}/warmup`); // matmul-2d is now the LRU one
    expect((await register('onnx/third')).status).toBe(201);
    const pidBefore = (await http().get('/api/v1/status')).body.models.find((m: any) => m.model_id === 'onnx/matmul-2d').pid;
    expect((await http().post(`/api/v1/models/${enc('onnx/third')}/load`).send({})).status).toBe(200);
    const unloaded = await events('model.unloaded');
    expect(unloaded.at(-1)!.payload).toMatchObject({ model_id: 'onnx/matmul-2d', reason: 'lru_eviction' });
    expect(typeof unloaded.at(-1)!.payload.uptime_seconds).toBe('number');
    await eventually(() => !isAlive(pidBefore), 'evicted worker to exit', 10_000);
    const status = await http().get('/api/v1/status');
    expect(status.body.totals.models_loaded).toBe(2);
  });

  it('refuses a model that cannot fit in the memory budget even alone: 503 INSUFFICIENT_MEMORY', async () => {
    expect((await register('onnx/huge', { resource_requirements: { memory_mb: 4096 } })).status).toBe(201);
    const res = await http().post(`/api/v1/models/${enc('onnx/huge')}/load`).send({});
    expect(res.status).toBe(503);
    expect(res.body.error_code).toBe('INSUFFICIENT_MEMORY');
    expect((await events('model.load.started')).some((e) => e.payload.model_id === 'onnx/huge')).toBe(false);
  });

  it('refuses a load whose files do not match the checksum, records model.load.failed, spawns nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-bad-'));
    const file = join(dir, 'model.onnx');
    copyFileSync(new URL(matmulUrl).pathname, file);
    writeFileSync(file, Buffer.from('corrupted'), { flag: 'a' });
    expect((await register('onnx/tampered', { source_url: pathToFileURL(file).href })).status).toBe(201);
    const pidsBefore = await workerPids();
    const res = await http().post(`/api/v1/models/${enc('onnx/tampered')}/load`).send({});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 'INVALID_CHECKSUM', message: expect.stringContaining('sha256') });
    const failed = await eventually(async () => (await events('model.load.failed')).find((e) => e.payload.model_id === 'onnx/tampered'), 'the failed load on record');
    expect(failed!.payload.error_code).toBe('INVALID_CHECKSUM');
    expect(await workerPids()).toEqual(pidsBefore);
    expect((await http().get(`/api/v1/models/${enc('onnx/tampered')}`)).body.lifecycle.state).toBe('failed');
  });

  it('records a killed worker as failed then unloaded (crashed), and reloads it', async () => {
    const before = (await http().get(`/api/v1/models/${enc('onnx/third')}`)).body.lifecycle;
    process.kill(before.pid, 'SIGKILL');
    const health = await eventually(async () => (await events('model.health.changed')).find((e) => e.payload.model_id === 'onnx/third' && e.payload.new_state === 'failed'), 'failed event', 10_000);
    expect(health.payload).toMatchObject({ previous_state: 'loaded', error_message: expect.stringContaining('SIGKILL') });
    const crashed = await eventually(async () => (await events('model.unloaded')).find((e) => e.payload.model_id === 'onnx/third' && e.payload.reason === 'crashed'), 'the crash on record');
    expect(crashed).toBeDefined();
    const reloaded = await eventually(async () => {
      const l = (await http().get(`/api/v1/models/${enc('onnx/third')}`)).body.lifecycle;
      return l.state === 'loaded' && l.pid !== before.pid ? l : undefined;
    }, 'reload after crash', 20_000);
    expect(isAlive(reloaded.pid)).toBe(true);
  });

  it('unloads a model when it is unregistered (reason unregistered)', async () => {
    const pid = (await http().get(`/api/v1/models/${enc('onnx/raced')}`)).body.lifecycle.pid;
    expect((await http().delete(`/api/v1/models/${enc('onnx/raced')}`)).status).toBe(204);
    const unloaded = await eventually(async () => (await events('model.unloaded')).find((e) => e.payload.model_id === 'onnx/raced' && e.payload.reason === 'unregistered'), 'unregistered unload', 10_000);
    expect(unloaded.payload.version).toBe('main');
    await eventually(() => !isAlive(pid), 'worker exit', 10_000);
  });

  it('stops the worker of a load under way when its model is unregistered meanwhile', async () => {
    expect((await register('onnx/retired')).status).toBe(201);
    const load = http().post(`/api/v1/models/${enc('onnx/retired')}/load`).send({}).then((r) => r);
    await eventually(async () => (await http().get(`/api/v1/models/${enc('onnx/retired')}`)).body.lifecycle?.state === 'loading', 'the load to start', 10_000);
    expect((await http().delete(`/api/v1/models/${enc('onnx/retired')}`)).status).toBe(204);
    const loaded = await load;
    const listed = async () => ((await http().get('/api/v1/status')).body.models as Array<{ model_id: string }>).some((m) => m.model_id === 'onnx/retired');
    await eventually(async () => !(await listed()), 'no worker left for the unregistered model', 10_000);
    if (loaded.status === 200) await eventually(() => !isAlive(loaded.body.pid), 'its worker to exit', 10_000);
  });

  it('answers 404 MODEL_NOT_LOADED for unloading a model that is not loaded', async () => {
    const res = await http().post(`/api/v1/models/${enc('onnx/huge')}/unload`);
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('MODEL_NOT_LOADED');
  });

  it('reports model health', async () => {
    const res = await http().get('/health/models');
    expect(res.body.models.map((m: any) => m.model_id)).toEqual(expect.arrayContaining(['onnx/third']));
  });

  it('swaps a loaded model to another version in one load, and answers a load of a version it cannot fetch (found by the fuzzer: it hung)', async () => {
    expect((await register('onnx/versions')).status).toBe(201);
    const first = await http().post(`/api/v1/models/${enc('onnx/versions')}/load`).send({});
    expect([first.status, first.body.version]).toEqual([200, 'main']);
    expect((await http().post(`/api/v1/models/${enc('onnx/versions')}/versions`).send({ version: 'v2', source_url: matmulUrl, checksum: matmulSha })).status).toBe(201);
    const swapped = await http().post(`/api/v1/models/${enc('onnx/versions')}/load`).send({ version: 'v2' }).timeout(30_000);
    expect([swapped.status, swapped.body.version]).toEqual([200, 'v2']);
    expect(isAlive(first.body.pid)).toBe(false);
    expect((await http().post(`/api/v1/models/${enc('onnx/versions')}/versions`).send({ version: 'v3' })).status).toBe(201);
    const unfetchable = await http().post(`/api/v1/models/${enc('onnx/versions')}/load`).send({}).timeout(30_000);
    expect([unfetchable.status, unfetchable.body.error_code]).toEqual([422, 'SOURCE_REQUIRED']);
    expect((await http().get(`/api/v1/models/${enc('onnx/versions')}`)).body.lifecycle.state).toBe('failed'); // v2 was stopped first
  });
});

describe('tiny MatMul model written by the test', () => {
  it('is a valid model file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-tiny-'));
    expect(writeMatMulModel(dir)).toMatch(/model\.onnx$/);
  });
});
