import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { databaseBackends } from '../support/databases.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { CommandBus } from '@nestjs/cqrs';
import { RegisterModelCommand } from '../../src/registry/application/commands/register-model/register-model.command.js';
import { UnregisterModelCommand } from '../../src/registry/application/commands/unregister-model/unregister-model.command.js';
import { matmulReference, writeMatMulModel, writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { enc, eventsOf, eventually, http, registerTensorModel, row, startInferenceApp, jobOf, jobsEnded } from './support/inference-app.js';
import { TinyRuntime } from './support/tiny-runtime.js';

const backend = databaseBackends()[0]!;
const MAX_QUEUE = 30;

/** Scheduling against real worker processes: priorities, cancel, timeouts, batching, queue size, lazy loading. */
describe(`inference queue scheduling (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  const runtime = new TinyRuntime();

  const submit = async (modelId: string, body: Record<string, unknown> = {}) => {
    const res = await http(app).post(`/api/v1/infer/${enc(modelId)}/async`).send({ inputs: row(1), ...body });
    expect(res.status).toBe(202);
    return res.body.job_id as string;
  };
  const job = (id: string) => jobOf(app, id);
  const ended = (ids: string[]) => jobsEnded(app, ids);
  /** The order jobs started in, once `count` starts are on record (records settle a moment after the jobs end). */
  const startOrder = (modelId: string, count: number) => eventually(async () => {
    const ids = (await eventsOf(app, 'job.started')).filter((e) => e.payload.model_id === modelId).map((e) => e.payload.job_id);
    return ids.length >= count && ids;
  }, `${count} job.started events of ${modelId}`);
  const model = async (name: string, config: Record<string, unknown> = {}) => {
    const modelId = `tiny/${name}`;
    runtime.define(modelId, join(storage.options.modelDir!, 'matmul'));
    await registerTensorModel(app, modelId, config);
    return modelId;
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    writeMatMulModel(join(storage.options.modelDir!, 'matmul'));
    writeTxt2EmbedFolder(join(storage.options.modelDir!, 'embed'));
    app = await startInferenceApp(storage, runtime, { maxQueueSize: MAX_QUEUE, maxQueuedPerModel: MAX_QUEUE, maxBatchSize: 8, maxBatchWaitMs: 2, workerConcurrency: 1 });
  });
  afterAll(async () => {
    await app?.close();
    await runtime.stopAll();
    await storage?.cleanup();
  });

  it('runs a sync job on a lazily loaded worker and answers with the outputs', async () => {
    const modelId = await model('sync');
    const x = [1, 2, 3, 4];
    const res = await http(app).post(`/api/v1/infer/${enc(modelId)}`).send({ inputs: { x: { dims: [1, 4], data: x } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: expect.any(String), outputs: { y: { dims: [1, 2], type: 'float32', data: expect.any(Array) } }, processing_time_ms: expect.any(Number) });
    res.body.outputs.y.data.forEach((v: number, i: number) => expect(v).toBeCloseTo(matmulReference(x)[i]!, 5));
    expect(await job(res.body.job_id)).toMatchObject({ status: 'completed', model_id: modelId, priority: 'normal', attempts: 1, error_code: null });
  });

  it('loads a model once for many concurrent jobs (lazy loading)', async () => {
    const modelId = await model('lazy');
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(modelId, { inputs: row(i) })));
    const jobs = await ended(ids);
    expect(jobs.map((j) => j.status)).toEqual(Array(10).fill('completed'));
    expect(runtime.ensureLoadedCalls.filter((m) => m === modelId)).toHaveLength(1);
  });

  it('lets a critical job overtake queued low jobs, then high before low, FIFO within a level', async () => {
    const modelId = await model('priority', { max_batch_size: 1 });
    runtime.close();
    const first = await submit(modelId, { priority: 'low' });
    await eventually(() => runtime.held === 1, 'the first job to hold the worker');
    const lows: string[] = [];
    for (let i = 0; i < 6; i++) lows.push(await submit(modelId, { priority: 'low', inputs: row(i) }));
    const highs = [await submit(modelId, { priority: 'high' }), await submit(modelId, { priority: 'medium' })];
    const critical = await submit(modelId, { priority: 'critical' });
    runtime.open();
    await ended([first, ...lows, ...highs, critical]);
    expect(await startOrder(modelId, 10)).toEqual([first, critical, highs[0], highs[1], ...lows]);
  });

  it('cancels a queued job (200), refuses a running or ended one (409) and an unknown id (404)', async () => {
    const modelId = await model('cancel');
    runtime.close();
    const running = await submit(modelId);
    await eventually(() => runtime.held === 1, 'the first job to hold the worker');
    const queued = await submit(modelId);
    const cancelled = await http(app).delete(`/api/v1/jobs/${queued}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ job_id: queued, status: 'cancelled', finished_at: expect.any(String) });
    expect((await http(app).delete(`/api/v1/jobs/${running}`)).body).toMatchObject({ error_code: 'CANNOT_CANCEL' });
    expect((await http(app).delete(`/api/v1/jobs/${queued}`)).status).toBe(409);
    const unknown = await http(app).delete('/api/v1/jobs/00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'JOB_NOT_FOUND']);
    runtime.open();
    const [r, q] = await ended([running, queued]);
    expect([r.status, q.status]).toEqual(['completed', 'cancelled']);
    expect(await startOrder(modelId, 1)).toEqual([running]);
  });

  it('times out a running job (504 to its sync caller) and a queued one, and never completes them later', async () => {
    const modelId = await model('timeout');
    await ended([await submit(modelId)]); // loaded: the deadlines below are not spent on a worker start
    runtime.close();
    const sync = http(app).post(`/api/v1/infer/${enc(modelId)}`).send({ inputs: row(1), timeout_ms: 400 }).then((r) => r);
    await eventually(() => runtime.held === 1, 'the sync job to hold the worker');
    const queued = await submit(modelId, { timeout_ms: 300 });
    const res = await sync;
    expect([res.status, res.body.error_code, res.body.message]).toEqual([504, 'INFERENCE_TIMEOUT', 'Inference timeout']);
    const running = res.body.details.job_id as string;
    expect(await ended([queued])).toEqual([expect.objectContaining({ status: 'failed', error_code: 'INFERENCE_TIMEOUT', error_message: 'Inference timeout' })]);
    runtime.open();
    await eventually(() => runtime.held === 0 && runtime.calls.some((c) => c.modelId === modelId), 'the held call to finish');
    expect(await job(running)).toMatchObject({ status: 'failed', error_code: 'INFERENCE_TIMEOUT' });
    const completed = (await eventsOf(app, 'job.completed')).filter((e) => [running, queued].includes(e.payload.job_id as string));
    expect(completed).toEqual([]);
  });

  it('batches concurrent jobs into fewer worker calls, one session run each (batch-size metric)', async () => {
    const modelId = await model('batch', { max_batch_size: 8 });
    runtime.close();
    const first = await submit(modelId);
    await eventually(() => runtime.held === 1, 'the first job to hold the worker');
    const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(modelId, { inputs: row(i, 7) })));
    runtime.open();
    const jobs = await ended([first, ...ids]);
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    const calls = runtime.calls.filter((c) => c.modelId === modelId);
    expect(calls.map((c) => c.items)).toEqual([1, 8, 8]);
    expect(calls.every((c) => c.sessionRuns === 1)).toBe(true);
    const metrics = (await http(app).get('/api/v1/metrics')).text;
    expect(metrics).toContain(`modelmora_batch_size_count{model_id="${modelId}"} 3`);
    expect(metrics).toContain(`modelmora_batch_size_sum{model_id="${modelId}"} 17`);
    expect(metrics).toContain(`modelmora_session_runs_total{model_id="${modelId}"} 3`);
    for (const [i, id] of ids.entries()) {
      const result = (await http(app).get(`/api/v1/jobs/${id}/result`)).body;
      result.outputs.y.data.forEach((v: number, k: number) => expect(v).toBeCloseTo(matmulReference(row(i, 7).x.data)[k]!, 5));
    }
  });

  it('refuses a submission past the maximum queue size with 503 QUEUE_FULL', async () => {
    const modelId = await model('full');
    runtime.close();
    const ids: string[] = [];
    try {
      for (let i = 0; i < MAX_QUEUE; i++) ids.push(await submit(modelId));
      const refused = await http(app).post(`/api/v1/infer/${enc(modelId)}/async`).send({ inputs: row(1) });
      expect([refused.status, refused.body.error_code]).toEqual([503, 'QUEUE_FULL']);
      // One batch (at most 8) may have left for the closed worker while the rest queued: the depth counts the others.
      const depthOf = async () => Number(/modelmora_queue_depth\{priority="normal"\} (\d+)/.exec((await http(app).get('/api/v1/metrics')).text)?.[1]);
      await eventually(async () => {
        const processing = (await Promise.all(ids.map(job))).filter((j) => j.status === 'processing').length;
        return processing <= 8 && (await depthOf()) === MAX_QUEUE - processing;
      }, 'the queue depth to count the queued jobs');
    } finally {
      runtime.open(); // a failure above must not leave the next tests a full queue
      await ended(ids);
    }
    expect((await http(app).post(`/api/v1/infer/${enc(modelId)}/async`).send({ inputs: row(1) })).status).toBe(202);
  });

  it('group-commits concurrent submissions: 25 jobs, far fewer transactions', async () => {
    const modelId = await model('group');
    const appends = jest.spyOn(app.get(PostgresEventStore), 'appendIn');
    runtime.close();
    const ids = await Promise.all(Array.from({ length: 25 }, () => submit(modelId)));
    const flushes = appends.mock.calls.length;
    appends.mockRestore();
    expect(flushes).toBeLessThan(25);
    runtime.open();
    await ended(ids);
  });

  it('runs a txt2embed job: L2-normalised embeddings for each text', async () => {
    runtime.define('tiny/embed', join(storage.options.modelDir!, 'embed'), 'txt2embed');
    await app.get(CommandBus).execute(new RegisterModelCommand({ model_id: 'tiny/embed', task_type: 'txt2embed' }));
    const res = await http(app).post(`/api/v1/infer/${enc('tiny/embed')}`).send({ inputs: ['hello world', 'the cat sat'] });
    expect(res.status).toBe(200);
    expect(res.body.outputs.dimensions).toBe(3);
    expect(res.body.outputs.embeddings).toHaveLength(2);
    for (const e of res.body.outputs.embeddings as number[][]) expect(Math.hypot(...e)).toBeCloseTo(1, 5);
    const bad = await http(app).post(`/api/v1/infer/${enc('tiny/embed')}`).send({ inputs: [] });
    expect([bad.status, bad.body.error_code]).toEqual([400, 'INVALID_INPUT']);
  });

  it('refuses new work for an unhealthy model with 503 MODEL_UNHEALTHY', async () => {
    const modelId = await model('unhealthy');
    runtime.forcedState.set(modelId, 'unhealthy');
    try {
      const res = await http(app).post(`/api/v1/infer/${enc(modelId)}`).send({ inputs: row(1) });
      expect([res.status, res.body.error_code]).toEqual([503, 'MODEL_UNHEALTHY']);
    } finally {
      runtime.forcedState.delete(modelId);
    }
  });

  it('fails the queued jobs of a model that is unregistered (MODEL_NOT_FOUND); the running one ends normally', async () => {
    const modelId = await model('unregistered');
    runtime.close();
    const running = await submit(modelId);
    await eventually(() => runtime.held === 1, 'the first job to hold the worker');
    const queued = [await submit(modelId), await submit(modelId, { priority: 'critical' })];
    await app.get(CommandBus).execute(new UnregisterModelCommand(modelId));
    const failed = await ended(queued);
    expect(failed).toEqual(queued.map(() => expect.objectContaining({ status: 'failed', error_code: 'MODEL_NOT_FOUND' })));
    runtime.open();
    expect(await ended([running])).toEqual([expect.objectContaining({ status: 'completed' })]);
    const after = await http(app).post(`/api/v1/infer/${enc(modelId)}/async`).send({ inputs: row(1) });
    expect([after.status, after.body.error_code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });
});
