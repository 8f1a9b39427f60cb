import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { kafkaReadinessCheck } from '../../src/shared/kafka/kafka-readiness.js';
import type { KafkaRelay } from '../../src/shared/kafka/kafka-relay.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { describeKafka, outageBrokerPort, startBroker, stopBroker, testKafkaOptions, TopicRecorder, uniqueTopicPrefix, waitFor } from '../support/kafka.js';
import { eventIds, expectPerAggregateOrder, relayTestRegistry, StreamWriter, testRelay, topicsOf, type QuietLogger } from './relay-fixtures.js';

const backend = databaseBackends()[0]!;

// Its own broker, started and stopped here: stopping the shared one would break the
// suites running beside this one.
describeKafka(`Kafka relay across a broker outage (${backend})`, () => {
  const port = outageBrokerPort();
  let brokers: string;
  let t: TestDatabase;
  let store: PostgresEventStore;
  let relay: KafkaRelay;
  let logger: QuietLogger;
  let recorder: TopicRecorder | undefined;
  const prefix = uniqueTopicPrefix();

  beforeAll(async () => {
    [brokers, t] = await Promise.all([startBroker(port), openTestDatabase(backend)]);
    store = new PostgresEventStore(t.db, relayTestRegistry());
    ({ relay, logger } = testRelay(t.db, store, { prefix, brokers, checkpointName: 'kafka-relay', pollIntervalMs: 100, maxBackoffMs: 1000 }));
    relay.start();
  }, 240_000);
  afterAll(async () => {
    await recorder?.stop();
    await relay?.stop();
    await t?.close();
    await stopBroker(port, { clean: true });
  }, 120_000);

  it('keeps writing while the broker is down, then publishes everything in per-aggregate order when it is back', async () => {
    const readiness = kafkaReadinessCheck(testKafkaOptions({ topicPrefix: prefix, brokers: [brokers] }), () => relay, store);
    const writer = new StreamWriter(store, 8);
    const before = await writer.write(160, 2);
    await waitFor(() => relay.status().checkpoint >= before.at(-1)!.position, 'the first events to be published');
    expect(await readiness.check()).toMatchObject({ status: 'up', lag: 0 });

    await stopBroker(port);
    const during = await writer.write(400, 2); // the store does not care that Kafka is gone
    relay.notify();
    await waitFor(() => !relay.status().healthy, 'the relay to notice the outage', 60_000);
    const down = await readiness.check();
    expect(down).toMatchObject({ status: 'down', lag: during.length });
    expect(relay.status().checkpoint).toBe(before.at(-1)!.position); // nothing acknowledged, nothing moved
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1); // the outage is logged once, retries at debug

    await startBroker(port);
    const after = await writer.write(80, 2);
    await waitFor(() => relay.status().checkpoint >= after.at(-1)!.position, 'the relay to catch up after the outage', 90_000);
    expect(relay.status().healthy).toBe(true);
    expect((await new CheckpointStore(t.db).get('kafka-relay')).position).toBe(after.at(-1)!.position);
    expect(await readiness.check()).toMatchObject({ status: 'up', lag: 0 });

    const all = [...before, ...during, ...after];
    recorder = await new TopicRecorder(brokers).start(topicsOf(prefix));
    await waitFor(() => eventIds(recorder!.messages).size >= all.length, 'every event id on Kafka', 60_000);
    expect(eventIds(recorder.messages)).toEqual(new Set(all.map((s) => s.event.event_id)));
    expectPerAggregateOrder(recorder.messages);
  }, 240_000);
});
