import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/shared/database/database.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { ModelMoraOptions } from '../../src/shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../src/shared/nest/tokens.js';
import { AggregateRepository } from '../../src/shared/event-sourcing/aggregate-repository.js';
import { InferenceQueue } from '../../src/inference/application/inference-queue.aggregate.js';
import { QueueRecorder } from '../../src/inference/application/recording/queue-recorder.js';
import { fixedEventContext } from '../support/given-when-then.js';
import { CommandBus } from '@nestjs/cqrs';
import { RegisterModelCommand } from '../../src/registry/application/commands/register-model/register-model.command.js';
import { SubmitJobCommand, type SubmitJobInput } from '../../src/inference/application/commands/submit-job/submit-job.command.js';
import { ResultExpiry } from '../../src/inference/application/results/result-expiry.js';
import { databaseBackends } from '../support/databases.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { enc, eventsOf, eventually, http, registerTensorModel, row, startInferenceApp, jobsEnded } from './support/inference-app.js';
import { TinyRuntime } from './support/tiny-runtime.js';

const backend = databaseBackends()[0]!;
const MAX_RETRIES = 2;
// Each attempt of the crash tests starts a worker process and kills it: on a loaded machine three
// of them outlast the default 30 s a sync job waits, which would end the job as a timeout instead.
const UNHURRIED = 10 * 60_000;

/** What goes wrong, against real worker processes: bad input, failed loads, dying workers, duplicates, expiry. */
describe(`inference queue failures (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  const runtime = new TinyRuntime();

  const post = (modelId: string, body: Record<string, unknown>, mode: 'sync' | 'async' = 'async') =>
    http(app).post(`/api/v1/infer/${enc(modelId)}${mode === 'async' ? '/async' : ''}`).send(body);
  const ended = (ids: string[]) => jobsEnded(app, ids);
  const eventsFor = async (type: string, jobId: string) => (await eventsOf(app, type)).filter((e) => e.payload.job_id === jobId);
  const model = async (name: string, dir = join(storage.options.modelDir!, 'matmul')) => {
    const modelId = `tiny/${name}`;
    runtime.define(modelId, dir);
    await registerTensorModel(app, modelId);
    return modelId;
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    writeMatMulModel(join(storage.options.modelDir!, 'matmul'));
    mkdirSync(join(storage.options.modelDir!, 'empty'), { recursive: true });
    app = await startInferenceApp(storage, runtime, { jobMaxRetries: MAX_RETRIES, maxBatchWaitMs: 0 });
    await model('validation');
  });
  afterAll(async () => {
    await app?.close();
    await runtime.stopAll();
    await storage?.cleanup();
  });

  it.each([
    ['data that does not fill dims', 400, 'INVALID_INPUT', { inputs: { x: { dims: [2, 4], data: [1, 2, 3] } } }],
    ['text for a tensor model', 400, 'INVALID_INPUT', { inputs: 'hello' }],
    ['no inputs', 400, 'VALIDATION_ERROR', {}],
    ['an unknown priority', 400, 'VALIDATION_ERROR', { inputs: row(1), priority: 'urgent' }],
    ['a zero timeout', 400, 'VALIDATION_ERROR', { inputs: row(1), timeout_ms: 0 }],
  ])('answers %s with %i %s, queueing nothing', async (_, status, code, body) => {
    const modelId = 'tiny/validation';
    for (const mode of ['sync', 'async'] as const) {
      const res = await post(modelId, body, mode);
      expect([res.status, res.body.error_code]).toEqual([status, code]);
    }
    expect((await http(app).get(`/api/v1/jobs?model_id=${enc(modelId)}`)).body.meta.total).toBe(0);
  });

  it('answers 404 MODEL_NOT_FOUND for an unregistered model', async () => {
    const res = await post('nobody/here', { inputs: row(1) }, 'sync');
    expect([res.status, res.body.error_code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });

  it('fails the queued jobs of a model whose load fails, with the load error (500 LOAD_FAILED to a sync caller)', async () => {
    const modelId = await model('broken', join(storage.options.modelDir!, 'empty'));
    const ids = await Promise.all([1, 2, 3].map(async (i) => (await post(modelId, { inputs: row(i) })).body.job_id as string));
    const sync = await post(modelId, { inputs: row(4) }, 'sync');
    expect([sync.status, sync.body.error_code]).toEqual([500, 'LOAD_FAILED']);
    const jobs = await ended(ids);
    expect(jobs).toEqual(ids.map(() => expect.objectContaining({ status: 'failed', error_code: 'LOAD_FAILED', error_message: expect.stringContaining('loading tiny/broken failed') })));
  });

  it('retries a job whose worker died mid-call, on a new worker, and completes it once', async () => {
    const modelId = await model('crash-once');
    let kills = 0;
    runtime.beforeInfer = async (id, worker) => {
      if (id === modelId && kills++ === 0) await worker.kill();
    };
    try {
      const res = await post(modelId, { inputs: row(3), timeout_ms: UNHURRIED }, 'sync');
      expect(res.status).toBe(200);
      const id = res.body.job_id as string;
      await eventually(async () => (await eventsFor('job.completed', id)).length > 0, 'the sync job to be recorded');
      expect((await eventsFor('job.started', id)).map((e) => e.payload.attempt)).toEqual([1, 2]);
      expect((await eventsFor('job.requeued', id)).map((e) => e.payload)).toEqual([expect.objectContaining({ reason: 'worker_exited', retries: 1, delay_ms: 200 })]);
      expect(await eventsFor('job.completed', id)).toHaveLength(1);
      expect(runtime.ensureLoadedCalls.filter((m) => m === modelId)).toHaveLength(2);
    } finally {
      runtime.beforeInfer = undefined;
    }
  });

  it('fails a job whose worker keeps dying once its retries are used up', async () => {
    const modelId = await model('crash-always');
    runtime.beforeInfer = async (id, worker) => {
      if (id === modelId) await worker.kill();
    };
    try {
      const res = await post(modelId, { inputs: row(3), timeout_ms: UNHURRIED }, 'sync');
      expect([res.status, res.body.error_code]).toEqual([500, 'INFERENCE_FAILED']);
      expect(res.body.message).toContain(`gave up after ${MAX_RETRIES} retries`);
      await eventually(async () => (await eventsFor('job.failed', res.body.details.job_id)).length > 0, 'the sync job to be recorded');
      expect(await eventsFor('job.started', res.body.details.job_id)).toHaveLength(MAX_RETRIES + 1);
    } finally {
      runtime.beforeInfer = undefined;
    }
  });

  it('returns the same job for the same request id, while live and after it ended', async () => {
    const modelId = await model('dedupe');
    const [a, b] = await Promise.all([post(modelId, { inputs: row(1), request_id: 'req-42' }), post(modelId, { inputs: row(1), request_id: 'req-42' })]);
    expect(a.body.job_id).toBe(b.body.job_id);
    await ended([a.body.job_id]);
    const again = await post(modelId, { inputs: row(1), request_id: 'req-42' }, 'sync');
    expect(again.status).toBe(200);
    expect(again.body.job_id).toBe(a.body.job_id);
    expect((await http(app).get(`/api/v1/jobs?model_id=${enc(modelId)}`)).body.meta.total).toBe(1);
  });

  it('keeps a result until it expires, then answers 404 RESULT_NOT_FOUND and purges it', async () => {
    const modelId = await model('ttl');
    const id = (await post(modelId, { inputs: row(2) })).body.job_id as string;
    await ended([id]);
    const stored = await http(app).get(`/api/v1/jobs/${id}/result`);
    expect(stored.body).toMatchObject({ job_id: id, status: 'completed', outputs: { y: expect.any(Object) }, expires_at: expect.any(String) });
    await app.get(Database).query(`UPDATE inference_job_results SET expires_at = now() - interval '1 second' WHERE job_id = $1`, [id]);
    const expired = await http(app).get(`/api/v1/jobs/${id}/result`);
    expect([expired.status, expired.body.error_code]).toEqual([404, 'RESULT_NOT_FOUND']);
    expect(await app.get(ResultExpiry).purgeExpired()).toBeGreaterThanOrEqual(1);
    const pending = await http(app).get('/api/v1/jobs/00000000-0000-4000-8000-000000000001/result');
    expect(pending.body.error_code).toBe('JOB_NOT_FOUND');
  });

  it('lists jobs by status and model, paginated, and serves Prometheus text', async () => {
    const page = await http(app).get(`/api/v1/jobs?status=failed&model_id=${enc('tiny/broken')}&page_size=2`);
    expect(page.body.meta).toEqual({ total: 4, page: 1, page_size: 2, total_pages: 2 });
    expect(page.body.items.every((j: { status: string }) => j.status === 'failed')).toBe(true);
    const metrics = await http(app).get('/api/v1/metrics');
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.text).toContain('modelmora_jobs_total{model_id="tiny/broken",outcome="failed"} 4');
    expect(metrics.text).toMatch(/modelmora_job_processing_time_seconds_count\{model_id="tiny\/dedupe"\} 1/);
    expect(metrics.text).toContain('# TYPE modelmora_queue_depth gauge');
  });

  it('after a restart, runs every job that was queued or running to an end, and never completes one twice', async () => {
    const modelId = await model('restart');
    await ended([(await post(modelId, { inputs: row(0) })).body.job_id]);
    runtime.close();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(modelId, { inputs: row(i) })).body.job_id);
    await eventually(() => runtime.held === 1, 'a job to hold the worker');
    await app.close();
    await runtime.stopAll();

    app = await startInferenceApp(storage, runtime, { jobMaxRetries: MAX_RETRIES, maxBatchWaitMs: 0 });
    const jobs = await ended(ids);
    expect(jobs.map((j) => j.status)).toEqual(Array(5).fill('completed'));
    const completed = await eventually(async () => {
      const mine = (await eventsOf(app, 'job.completed')).filter((e) => ids.includes(e.payload.job_id as string));
      return mine.length >= 5 && mine;
    }, 'the five completions on record');
    expect(completed).toHaveLength(5);
    const requeued = (await eventsOf(app, 'job.requeued')).filter((e) => ids.includes(e.payload.job_id as string));
    expect(requeued.map((e) => e.payload.reason)).toEqual(['interrupted']);
  });

  it('fails only the job whose record the database refuses; the others of its group commit are acknowledged and run', async () => {
    const modelId = await model('isolation');
    await app.get(CommandBus).execute(new RegisterModelCommand({ model_id: 'tiny/isolation-text', task_type: 'txt2embed' }));
    const submit = (input: SubmitJobInput) => app.get(CommandBus).execute(new SubmitJobCommand(input)).then((j) => ({ ok: j.job_id }), (err) => ({ err }));
    // Behind the HTTP edge (a host's CommandBus): a lone surrogate passes the task's checks, but jsonb refuses it.
    // The text model is held (unloading) so its job waits and its inputs are recorded: a job that
    // ends within its submission's group commit keeps no inputs.
    runtime.forcedState.set('tiny/isolation-text', 'unloading');
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => submit({ model_id: modelId, inputs: row(i) })),
      submit({ model_id: 'tiny/isolation-text', inputs: ['refused\ud800text'] }),
    ]);
    runtime.forcedState.delete('tiny/isolation-text');
    expect(results.at(-1)).toMatchObject({ err: { code: 'VALIDATION_ERROR' } });
    const good = results.slice(0, 5).map((r) => (r as { ok: string }).ok);
    expect(good.every((id) => typeof id === 'string')).toBe(true);
    expect((await ended(good)).map((j) => j.status)).toEqual(Array(5).fill('completed'));
    // Its memory is bounded by its backlog: once that drained, the group commit holds no job of the refusal.
    const recorder = app.get(QueueRecorder);
    await eventually(() => recorder.status().unrecorded_events === 0, 'the backlog to drain');
    const commits = (recorder as unknown as { commits: Record<string, unknown> }).commits;
    const held = Object.entries(commits).filter(([, v]) => (v instanceof Set || v instanceof Map) && v.size > 0).map(([name]) => name);
    expect(held).toEqual([]);
  });

  it('is fenced by another writer on its stream: its own late records are refused, and new work gets 503', async () => {
    const modelId = await model('conflict');
    expect((await post(modelId, { inputs: row(4) }, 'sync')).status).toBe(200);
    const repository = app.get(AggregateRepository);
    const foreign = '00000000-0000-4000-8000-00000000c0f1';
    const limits = { maxQueueSize: 100, maxQueuedPerModel: 100, defaultTimeoutMs: { default: 60_000 } };
    // Another writer appends to our stream, once our write-behind records of the job above are in.
    await eventually(() => app.get(QueueRecorder).status().unrecorded_events === 0, 'our records to be written');
    const other = await repository.load(new InferenceQueue(app.get<ModelMoraOptions>(MODELMORA_OPTIONS).inferenceQueueId));
    other.submit({ job_id: foreign, model_id: modelId, task_type: 'tensor', inputs: row(1) }, limits, fixedEventContext(new Date().toISOString()));
    await repository.save(other);

    // Answered from memory (sync is write-behind) unless a flush already met the conflict; either way: fenced.
    expect([200, 503]).toContain((await post(modelId, { inputs: row(5) }, 'sync')).status);
    const refused = await eventually(async () => {
      const res = await post(modelId, { inputs: row(6) });
      return res.status === 503 && res.body;
    }, 'the fenced queue to refuse new work');
    expect(refused.error_code).toBe('SERVICE_UNAVAILABLE');
    const { events: stream } = await app.get(PostgresEventStore).load(app.get<ModelMoraOptions>(MODELMORA_OPTIONS).inferenceQueueId, { ignoreSnapshot: true });
    expect(stream.at(-1)!.event.payload.job_id).toBe(foreign); // nothing of ours after the other writer's event
  });
});
