import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../src/shared/domain/domain-error.js';
import { SubmitJobCommand, type SubmitJobInput, type SubmittedJob } from '../../src/inference/application/commands/submit-job/submit-job.command.js';
import { connectKafkaConsumer } from '../../src/inference/interface/kafka/connect-kafka-consumer.js';
import { KafkaCommandsModule } from '../../src/inference/interface/kafka/kafka-commands.module.js';
import type { KafkaOptions } from '../../src/shared/config/modelmora-options.js';
import { describeKafka, testKafkaOptions, testProducer, TopicRecorder, waitFor } from '../support/kafka.js';

/** Stands in for the inference context: dedupes by request_id like the real handler, refuses unknown models. */
@Injectable()
@CommandHandler(SubmitJobCommand)
class FakeSubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  readonly calls: SubmitJobInput[] = [];
  readonly jobs = new Map<string, string>();
  /** What each call answered, in order. */
  readonly answers: Array<{ input: SubmitJobInput; job: SubmittedJob }> = [];
  flakes = 0;

  async execute({ input }: SubmitJobCommand): Promise<SubmittedJob> {
    this.calls.push(input);
    if (input.model_id === 'flaky/model' && this.flakes-- > 0) throw new Error('connection terminated unexpectedly');
    if (input.model_id === 'missing/model') throw new DomainError('MODEL_NOT_FOUND', `model ${input.model_id} not found`);
    const earlier = input.request_id ? this.jobs.get(input.request_id) : undefined;
    const jobId = earlier ?? `job-${this.jobs.size + 1}`;
    if (!earlier) this.jobs.set(input.request_id ?? jobId, jobId);
    const job: SubmittedJob = { job_id: jobId, status: 'queued', duplicate: earlier !== undefined };
    this.answers.push({ input, job });
    return job;
  }
}

async function consumerApp(kafka: KafkaOptions): Promise<INestApplication> {
  @Module({ imports: [CqrsModule.forRoot(), KafkaCommandsModule.register(kafka)], providers: [FakeSubmitJobHandler] })
  class ConsumerTestModule {}
  const app = await NestFactory.create(ConsumerTestModule, { logger: ['error'] });
  connectKafkaConsumer(app, kafka);
  await app.init();
  await app.startAllMicroservices();
  return app;
}

// The consumer's behaviour on a real broker, with the command bus faked: runs without the
// inference context. commands-consumer.test.ts covers the whole app.
describeKafka('Kafka commands consumer (KafkaCommandsModule, fake SubmitJob handler)', () => {
  const kafka = testKafkaOptions();
  const brokers = kafka.brokers.join(',');
  let app: INestApplication;
  let handler: FakeSubmitJobHandler;
  let producer: Awaited<ReturnType<typeof testProducer>>;
  let dlq: TopicRecorder | undefined;
  const send = (value: string | null, key = 'same-partition') => producer.send(kafka.commandsTopic, value, { key, headers: { trace_id: 'tr-1' } });

  beforeAll(async () => {
    producer = await testProducer(brokers);
    app = await consumerApp(kafka);
    handler = app.get(FakeSubmitJobHandler);
  });
  afterAll(async () => {
    await dlq?.stop();
    await app?.close();
    await producer?.disconnect();
  });

  it('submits a job for a valid message', async () => {
    await send(JSON.stringify({ model_id: 'a/b', inputs: { x: { dims: [1, 4], data: [1, 2, 3, 4] } }, priority: 'critical', timeout_ms: 1500, request_id: 'req-1' }));
    await waitFor(() => handler.calls.find((c) => c.request_id === 'req-1'), 'the command');
    expect(handler.calls.find((c) => c.request_id === 'req-1')).toEqual({ model_id: 'a/b', inputs: { x: { dims: [1, 4], data: [1, 2, 3, 4] } }, priority: 'critical', timeout_ms: 1500, request_id: 'req-1' });
  });

  it('sends malformed and invalid messages to the DLQ with the error in headers, and keeps consuming', async () => {
    await send('{"model_id": "a/b",'); // not JSON
    await send(JSON.stringify({ model_id: 'a/b', inputs: [1], priority: 'urgent' })); // fails validation
    await send(JSON.stringify({ model_id: 'missing/model', inputs: [1] })); // refused by the domain
    await send(JSON.stringify({ model_id: 'a/b', inputs: [1], request_id: 'after-the-bad-ones' }));
    await waitFor(() => handler.calls.find((c) => c.request_id === 'after-the-bad-ones'), 'the message after the bad ones');

    dlq = await new TopicRecorder(brokers).start([`${kafka.commandsTopic}.dlq`]);
    await waitFor(() => dlq!.messages.length >= 3, 'three dead letters');
    const [notJson, invalid, refused] = dlq.messages;
    expect(notJson).toMatchObject({ key: 'same-partition', value: '{"model_id": "a/b",', headers: { error_code: 'VALIDATION_ERROR', error: expect.stringContaining('not valid JSON'), trace_id: 'tr-1', original_topic: kafka.commandsTopic } });
    expect(invalid!.headers).toMatchObject({ error_code: 'VALIDATION_ERROR', error: expect.stringContaining('priority') });
    expect(refused!.headers).toMatchObject({ error_code: 'MODEL_NOT_FOUND' });
    expect(JSON.parse(refused!.value!)).toEqual({ model_id: 'missing/model', inputs: [1] });
  });

  it('retries a transient failure instead of dead-lettering it', async () => {
    handler.flakes = 2;
    await send(JSON.stringify({ model_id: 'flaky/model', inputs: [1], request_id: 'flaky-1' }));
    await waitFor(() => handler.jobs.has('flaky-1'), 'the job after two transient failures');
    expect(handler.calls.filter((c) => c.request_id === 'flaky-1')).toHaveLength(3);
    expect(dlq!.messages.filter((m) => m.value?.includes('flaky-1'))).toEqual([]);
  });

  it('gives a redelivered message (same request_id) the first job', async () => {
    const body = JSON.stringify({ model_id: 'redelivery/model', inputs: [1], request_id: 'redelivered' });
    await send(body);
    await send(body);
    const deliveries = () => handler.answers.filter((a) => a.input.model_id === 'redelivery/model');
    await waitFor(() => deliveries().length === 2, 'both deliveries');
    // Both reach the handler with the message's own request id, so the second is answered with the first job.
    expect(deliveries().map((a) => a.input.request_id)).toEqual(['redelivered', 'redelivered']);
    const [first, second] = deliveries().map((a) => a.job);
    expect([first!.duplicate, second]).toEqual([false, { ...first!, duplicate: true }]);
  });
});

describeKafka('Kafka commands consumer with the broker down', () => {
  it('does not block or fail the app start, and closes promptly', async () => {
    const kafka = testKafkaOptions({ brokers: ['127.0.0.1:9'] }); // nothing listens on the discard port
    const app = await consumerApp(kafka);
    await app.close();
  });
});
