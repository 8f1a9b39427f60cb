import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createServer } from '../../src/bootstrap.js';
import { readyForRequests, testHttpAdapter } from '../support/http-adapter.js';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { requireKafka, testKafkaOptions, testProducer, TopicRecorder, waitFor } from '../support/kafka.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { matmulReference, writeMatMulModel } from '../support/tiny-models.js';

const backend = databaseBackends()[0]!;
const MODEL = 'kafka-test/tiny-matmul';

(requireKafka() ? describe : describe.skip)(`job submissions from Kafka, whole app (${backend})`, () => {
  const kafka = testKafkaOptions();
  const brokers = kafka.brokers.join(',');
  let storage: TestStorage;
  let app: INestApplication;
  let producer: Awaited<ReturnType<typeof testProducer>>;
  const recorders: TopicRecorder[] = [];
  let modelDir: string;
  const http = () => request(app.getHttpServer());
  const send = (body: unknown, key = MODEL) => producer.send(kafka.commandsTopic, typeof body === 'string' ? body : JSON.stringify(body), { key });
  const jobsOfModel = async () => (await http().get(`/api/v1/jobs?model_id=${encodeURIComponent(MODEL)}&page_size=200`)).body.items as { job_id: string; status: string }[];
  const record = async (topics: string[]) => {
    const r = await new TopicRecorder(brokers).start(topics);
    recorders.push(r);
    return r;
  };

  beforeAll(async () => {
    modelDir = mkdtempSync(join(tmpdir(), 'modelmora-kafka-model-'));
    storage = await testStorage(backend);
    app = await createServer({ ...storage.options, kafka }, 'warn', testHttpAdapter());
    expect(app.getMicroservices()).toHaveLength(1); // createServer connects the commands consumer
    await readyForRequests(await app.init());
    await app.startAllMicroservices();
    producer = await testProducer(brokers);
    const modelPath = writeMatMulModel(modelDir);
    const res = await http().post('/api/v1/models').send({ model_id: MODEL, task_type: 'tensor', source_url: pathToFileURL(modelPath).href, checksum: await fileChecksum(modelPath) });
    expect(res.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    await producer?.disconnect();
    await app?.close();
    await storage?.cleanup();
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  }, 60_000);

  it('runs a job submitted on the commands topic; its job.completed reaches Kafka and REST', async () => {
    const x = [1, 2, 3, 4];
    await send({ model_id: MODEL, inputs: { x: { dims: [1, 4], data: x } }, priority: 'high', request_id: 'kafka-run-1' });
    const job = await waitFor(async () => (await jobsOfModel()).find((j) => j.status === 'completed'), 'the job to complete', 60_000, 100);
    const result = await http().get(`/api/v1/jobs/${job.job_id}/result`);
    expect(result.status).toBe(200);
    result.body.outputs.y.data.forEach((v: number, i: number) => expect(v).toBeCloseTo(matmulReference(x)[i]!, 4));

    const completed = `${kafka.topicPrefix}.inference_queue.job.completed`;
    const submitted = `${kafka.topicPrefix}.inference_queue.job.submitted`;
    await waitFor(async () => (await http().get('/health/ready')).body.components?.kafka?.lag === 0, 'the relay to catch up', 30_000, 100);
    const recorder = await record([submitted, completed]);
    const ofJob = (topic: string) => recorder.on(topic).map((m) => JSON.parse(m.value!)).find((e) => e.payload.job_id === job.job_id);
    await waitFor(() => ofJob(completed), 'job.completed on Kafka', 30_000);
    // Two topics: a consumer may see job.completed before job.submitted, so each is waited for.
    const sub = await waitFor(() => ofJob(submitted), 'job.submitted on Kafka', 30_000);
    expect(sub.payload).toMatchObject({ model_id: MODEL, priority: 'high', request_id: 'kafka-run-1' });
  }, 90_000);

  it('does not submit a second job for a redelivered message (same request_id)', async () => {
    const body = { model_id: MODEL, inputs: { x: { dims: [1, 4], data: [0, 0, 0, 1] } }, request_id: 'kafka-redelivered' };
    const before = (await jobsOfModel()).length;
    await send(body);
    await send(body);
    await send({ ...body, request_id: 'kafka-marker' }); // same partition, after both: once it is in, both were handled
    await waitFor(async () => (await jobsOfModel()).length >= before + 2, 'the marker job', 30_000, 100);
    expect((await jobsOfModel()).length).toBe(before + 2);
  }, 60_000);

  it('dead-letters a malformed message and an unknown model, and keeps consuming', async () => {
    const before = (await jobsOfModel()).length;
    await send('not json at all');
    await send({ model_id: 'kafka-test/no-such-model', inputs: { x: { dims: [1, 4], data: [1, 1, 1, 1] } } });
    await send({ model_id: MODEL, inputs: { x: { dims: [1, 4], data: [1, 1, 1, 1] } }, request_id: 'kafka-after-bad' });
    await waitFor(async () => (await jobsOfModel()).length > before, 'the good message after the bad ones', 30_000, 100);
    const dlq = await record([`${kafka.commandsTopic}.dlq`]);
    await waitFor(() => dlq.messages.length >= 2, 'two dead letters', 30_000);
    expect(dlq.messages.map((m) => m.headers.error_code)).toEqual(['VALIDATION_ERROR', 'MODEL_NOT_FOUND']);
    expect(dlq.messages[0]!.value).toBe('not json at all');
  }, 60_000);

  it('reports Kafka in /health/ready', async () => {
    const res = await http().get('/health/ready');
    expect(res.body.components.kafka).toMatchObject({ status: 'up', lag: expect.any(Number), brokers: kafka.brokers });
  });
});
