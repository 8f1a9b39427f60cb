import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { SubmitJobCommand, type SubmitJobInput, type SubmittedJob } from '../../src/inference/application/commands/submit-job/submit-job.command.js';
import { connectKafkaConsumer } from '../../src/inference/interface/kafka/connect-kafka-consumer.js';
import { KafkaCommandsModule } from '../../src/inference/interface/kafka/kafka-commands.module.js';
import { waitForTopicLeaders } from '../../src/shared/kafka/kafka-topics.js';
import { describeKafka, testKafkaOptions, testProducer, TopicRecorder, waitFor } from '../support/kafka.js';

/** Stands in for the inference context: one model whose submissions always fail the way a database refusal does. */
@Injectable()
@CommandHandler(SubmitJobCommand)
class PoisonedSubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  readonly calls: SubmitJobInput[] = [];

  async execute({ input }: SubmitJobCommand): Promise<SubmittedJob> {
    this.calls.push(input);
    if (input.model_id.includes('\u0000')) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
    return { job_id: `job-${this.calls.length}`, status: 'queued', duplicate: false };
  }
}

// A record that can never succeed must not hold its partition, and its dead letter must
// reach the DLQ even when the DLQ topic takes smaller records than the commands topic.
describeKafka('Kafka commands consumer never stalls on one record', () => {
  const kafka = testKafkaOptions();
  const brokers = kafka.brokers.join(',');
  const dlqTopic = `${kafka.commandsTopic}.dlq`;
  let app: INestApplication;
  let handler: PoisonedSubmitJobHandler;
  let producer: Awaited<ReturnType<typeof testProducer>>;
  let dlq: TopicRecorder;
  const send = (value: string) => producer.send(kafka.commandsTopic, value, { key: 'one-partition' });

  beforeAll(async () => {
    producer = await testProducer(brokers);
    const admin = producer.admin;
    await admin.connect();
    // A DLQ that refuses records over 20 kB: the commands topic itself takes the broker's 1 MB.
    await admin.createTopics({ topics: [{ topic: dlqTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '20000' }] }] });
    await waitForTopicLeaders(admin, [dlqTopic]);
    await admin.disconnect();
    @Module({ imports: [CqrsModule.forRoot(), KafkaCommandsModule.register(kafka)], providers: [PoisonedSubmitJobHandler] })
    class ConsumerTestModule {}
    app = await NestFactory.create(ConsumerTestModule, { logger: ['error'] });
    connectKafkaConsumer(app, kafka);
    await app.init();
    await app.startAllMicroservices();
    handler = app.get(PoisonedSubmitJobHandler);
    dlq = await new TopicRecorder(brokers).start([dlqTopic]);
  }, 60_000);
  afterAll(async () => {
    await dlq?.stop();
    await app?.close();
    await producer?.disconnect();
  });

  it('dead-letters a record that keeps failing after bounded retries, then consumes the next one', async () => {
    await send(JSON.stringify({ model_id: 'bad/\u0000model', inputs: [1], request_id: 'poison' }));
    await send(JSON.stringify({ model_id: 'good/model', inputs: [1], request_id: 'after-poison' }));

    await waitFor(() => handler.calls.find((c) => c.request_id === 'after-poison'), 'the record after the poisoned one', 60_000, 100);
    const letter = await waitFor(() => dlq.messages.find((m) => m.value?.includes('poison')), 'the poisoned record in the DLQ', 30_000);
    expect(handler.calls.filter((c) => c.request_id === 'poison')).toHaveLength(8);
    expect(letter.headers).toMatchObject({ error_code: 'INTERNAL_ERROR', attempts: '8', error: expect.stringContaining('still failing after 8 attempts: invalid byte sequence') });
  }, 90_000);

  it('cuts a dead letter the DLQ topic would refuse, instead of stalling on it', async () => {
    const big = `{"model_id":"a/b","inputs":"${'x'.repeat(200_000)}",`; // invalid JSON, 200 kB
    await send(big);
    await send(JSON.stringify({ model_id: 'good/model', inputs: [1], request_id: 'after-big' }));

    await waitFor(() => handler.calls.find((c) => c.request_id === 'after-big'), 'the record after the big one', 60_000, 100);
    const letter = await waitFor(() => dlq.messages.find((m) => m.headers.original_value_bytes === String(big.length)), 'the cut-down letter', 30_000);
    expect(letter.headers).toMatchObject({ error_code: 'VALIDATION_ERROR', truncated: 'true' });
    expect(letter.value === null || big.startsWith(letter.value)).toBe(true);
    expect((letter.value?.length ?? 0)).toBeLessThan(20_000);
  }, 90_000);
});
