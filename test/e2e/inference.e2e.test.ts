import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import type { TensorMap } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase, type OnnxTestCase } from '../support/onnx-testdata.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { expectTensorClose } from '../workers/worker-test-helpers.js';
import { eventually } from '../support/eventually.js';

const enc = encodeURIComponent;
const CASES = ['test_matmul_2d', 'test_add', 'test_relu', 'test_softmax_example'];
const idOf = (name: string) => `onnx/${name.replace(/^test_/, '').replace(/_/g, '-')}`;

function expectOutputs(actual: TensorMap, expected: TensorMap): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, tensor] of Object.entries(expected)) expectTensorClose(actual[name], tensor, 1e-4);
}

/** The whole standalone app over HTTP: real libonnx-testdata models, real workers, sync and async. */
describeWithOnnxTestdata().each(databaseBackends().slice(0, 1))('inference over HTTP with real ONNX models (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  const cases = new Map<string, OnnxTestCase>();
  const http = () => request(app.getHttpServer());
  const jobOf = async (id: string) => (await http().get(`/api/v1/jobs/${id}`)).body;
  const ended = async (id: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = await jobOf(id);
      if (['completed', 'failed', 'cancelled'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after 30 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const register = async (modelId: string, tc: OnnxTestCase) => {
    const body = { model_id: modelId, task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath) };
    expect((await http().post('/api/v1/models').send(body)).status).toBe(201);
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage);
    for (const name of CASES) {
      const tc = await loadOnnxTestCase(`node/${name}`);
      cases.set(name, tc);
      await register(idOf(name), tc);
    }
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it.each(CASES)('sync inference on %s returns the reference outputs', async (name) => {
    const tc = cases.get(name)!;
    const res = await http().post(`/api/v1/infer/${enc(idOf(name))}`).send({ inputs: tc.inputs });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: expect.any(String), outputs: expect.any(Object), processing_time_ms: expect.any(Number) });
    expectOutputs(res.body.outputs, tc.outputs);
  });

  it.each(CASES)('async inference on %s: 202, then the job and its result', async (name) => {
    const tc = cases.get(name)!;
    const res = await http().post(`/api/v1/infer/${enc(idOf(name))}/async`).send({ inputs: tc.inputs, priority: 'high' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ job_id: expect.any(String), status: 'queued' });
    const job = await ended(res.body.job_id);
    expect(job).toMatchObject({ status: 'completed', model_id: idOf(name), priority: 'high', processing_time_ms: expect.any(Number) });
    const result = await http().get(`/api/v1/jobs/${res.body.job_id}/result`);
    expect(result.status).toBe(200);
    expectOutputs(result.body.outputs, tc.outputs);
  });

  it('records the seed events of a sync job, write-behind: submitted, started, completed (no outputs in payloads)', async () => {
    const res = await http().post(`/api/v1/infer/${enc(idOf('test_relu'))}`).send({ inputs: cases.get('test_relu')!.inputs });
    expect(res.status).toBe(200);
    const mine = await eventually(async () => {
      const log = await http().get(`/api/v1/events?event_type=job.completed&limit=1000`);
      if (!log.body.items.some((e: { payload: { job_id?: string } }) => e.payload.job_id === res.body.job_id)) return undefined;
      const stream = await http().get(`/api/v1/events?aggregate_id=${log.body.items[0].aggregate_id}&limit=1000`);
      return stream.body.items.filter((e: { payload: { job_id?: string } }) => e.payload.job_id === res.body.job_id);
    }, 'the sync job to be recorded');
    expect(mine.map((e: { event_type: string }) => e.event_type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    expect(mine[0]).toMatchObject({ aggregate_type: 'inference_queue', version: 1, payload: { job_id: res.body.job_id, model_id: idOf('test_relu'), priority: 'normal' } });
    expect(mine[2].payload).toEqual({ job_id: res.body.job_id, model_id: idOf('test_relu'), processing_time_ms: expect.any(Number), success: true });
  });

  it('cancels a job queued while its model loads, and refuses to cancel it twice', async () => {
    const tc = cases.get('test_add')!;
    await register('onnx/add-cold', tc);
    const submitted = await http().post(`/api/v1/infer/${enc('onnx/add-cold')}/async`).send({ inputs: tc.inputs });
    const cancelled = await http().delete(`/api/v1/jobs/${submitted.body.job_id}`);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    const again = await http().delete(`/api/v1/jobs/${submitted.body.job_id}`);
    expect([again.status, again.body.error_code]).toEqual([409, 'CANNOT_CANCEL']);
    expect((await http().get(`/api/v1/jobs/${submitted.body.job_id}/result`)).body.error_code).toBe('RESULT_NOT_FOUND');
    // The lazy load it started still finishes (nothing left to run on it).
    for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const state = (await http().get(`/api/v1/models/${enc('onnx/add-cold')}`)).body.lifecycle?.state;
      if (state === 'loaded') break;
      if (Date.now() > deadline) throw new Error(`onnx/add-cold still ${state}`);
    }
  });

  it('answers 400 INVALID_INPUT, 404 MODEL_NOT_FOUND and 404 JOB_NOT_FOUND in the error language', async () => {
    const bad = await http().post(`/api/v1/infer/${enc(idOf('test_relu'))}`).send({ inputs: { x: { dims: [2], data: [1] } } });
    expect([bad.status, bad.body.error_code]).toEqual([400, 'INVALID_INPUT']);
    // Caught by the worker, which knows the graph: a wrong input name or a wrong fixed dim.
    const wrongName = await http().post(`/api/v1/infer/${enc(idOf('test_relu'))}`).send({ inputs: { nope: { dims: [3, 4, 5], data: Array(60).fill(0) } } });
    expect([wrongName.status, wrongName.body.error_code]).toEqual([400, 'INVALID_INPUT']);
    expect(wrongName.body.message).toContain('nope');
    const wrongDims = await http().post(`/api/v1/infer/${enc(idOf('test_relu'))}`).send({ inputs: { x: { dims: [2, 2], data: [1, 2, 3, 4] } } });
    expect([wrongDims.status, wrongDims.body.error_code]).toEqual([400, 'INVALID_INPUT']);
    const stillServing = await http().get(`/api/v1/models/${enc(idOf('test_relu'))}`);
    expect(stillServing.body.lifecycle.state).toBe('loaded');
    const missing = await http().post(`/api/v1/infer/${enc('no/such-model')}/async`).send({ inputs: {} });
    expect([missing.status, missing.body.error_code]).toEqual([404, 'MODEL_NOT_FOUND']);
    const unknown = await http().get('/api/v1/jobs/not-a-job');
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'JOB_NOT_FOUND']);
  });

  it('lists jobs by model and status, and serves Prometheus metrics', async () => {
    const list = await http().get(`/api/v1/jobs?model_id=${enc(idOf('test_add'))}&status=completed`);
    expect(list.body.meta.total).toBeGreaterThanOrEqual(2);
    const metrics = await http().get('/api/v1/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(metrics.text).toMatch(/^modelmora_models_loaded [1-9]/m);
    expect(metrics.text).toMatch(new RegExp(`modelmora_worker_memory_mb\\{model_id="${idOf('test_relu')}"\\} \\d`));
    expect(metrics.text).toMatch(new RegExp(`modelmora_job_processing_time_seconds_count\\{model_id="${idOf('test_relu')}"\\} [2-9]`));
    expect(metrics.text).toContain(`modelmora_jobs_total{model_id="${idOf('test_matmul_2d')}",outcome="completed"} 2`);
    expect(metrics.text).toMatch(/modelmora_batch_size_bucket\{le="1",model_id="onnx\/relu"\} \d/);
  });
});
