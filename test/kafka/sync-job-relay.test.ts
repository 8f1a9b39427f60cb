import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { databaseBackends } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { describeKafka, kafkaBrokers, testKafkaOptions, testProducer, TopicRecorder } from '../support/kafka.js';
import { loadOnnxTestCase } from '../support/onnx-testdata.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

const backend = databaseBackends()[0]!;
const MODEL = 'onnx/matmul-sync-relay';

/** A sync job is answered before it is recorded; its facts still reach the store and Kafka (write-behind). */
describeKafka(`a sync job's events reach the store and Kafka (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let recorder: TopicRecorder | undefined;
  const kafka = testKafkaOptions();

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage, { kafka });
  }, 120_000);
  afterAll(async () => {
    await recorder?.stop();
    await app?.close();
    await storage?.cleanup();
  });

  it('given a sync inference answered 200, then job.submitted and job.completed are stored and published, once each', async () => {
    const tc = await loadOnnxTestCase('node/test_matmul_2d');
    const http = () => request(app.getHttpServer());
    const registered = await http().post('/api/v1/models').send({
      model_id: MODEL, task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath),
    });
    expect(registered.status).toBe(201);
    const res = await http().post(`/api/v1/infer/${encodeURIComponent(MODEL)}`).send({ inputs: tc.inputs });
    expect(res.status).toBe(200);
    const jobId = res.body.job_id as string;

    const stored = await eventually(async () => {
      const events = (await app.get(PostgresEventStore).readAll({ limit: 10_000 })).filter((s) => s.event.payload.job_id === jobId);
      return events.some((s) => s.event.event_type === 'job.completed') && events;
    }, 'the sync job to be recorded');
    expect(stored.map((s) => s.event.event_type)).toEqual(['job.submitted', 'job.started', 'job.completed']);

    // The relay makes the topics as it first publishes to them; a consumer resolves its topics once, at start.
    const topics = ['job.submitted', 'job.completed'].map((type) => `${kafka.topicPrefix}.inference_queue.${type}`);
    const { admin, disconnect } = await testProducer(kafkaBrokers());
    await admin.connect();
    await eventually(async () => {
      const listed = await admin.listTopics();
      return topics.every((t) => listed.includes(t));
    }, 'the relay to create the job topics', 60_000);
    await admin.disconnect();
    await disconnect();
    const received = (recorder = await new TopicRecorder(kafkaBrokers()).start(topics));

    for (const type of ['job.submitted', 'job.completed']) {
      const topic = `${kafka.topicPrefix}.inference_queue.${type}`;
      const published = await eventually(() => {
        const mine = received.on(topic).filter((m) => JSON.parse(m.value!).payload.job_id === jobId);
        return mine.length > 0 && mine;
      }, `${type} on ${topic}`, 60_000);
      expect(published).toHaveLength(1);
      expect(JSON.parse(published[0]!.value!)).toEqual(stored.find((s) => s.event.event_type === type)!.event.toEnvelope());
    }
  }, 180_000);
});
