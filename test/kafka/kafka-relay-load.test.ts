import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { KafkaRelay } from '../../src/shared/kafka/kafka-relay.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { describeKafka, kafkaBrokers, TopicRecorder, uniqueTopicPrefix, waitFor } from '../support/kafka.js';
import { eventIds, expectPerAggregateOrder, relayTestRegistry, StreamWriter, testRelay, topicsOf } from './relay-fixtures.js';

const backend = databaseBackends()[0]!;

/**
 * Measurements, not timing assertions: the numbers are printed for the notes
 * (events/s of a catch-up over 10,000 stored events; lag under a steady writer).
 */
describeKafka(`Kafka relay under load (${backend})`, () => {
  let t: TestDatabase;
  let store: PostgresEventStore;
  const relays: KafkaRelay[] = [];
  let recorder: TopicRecorder | undefined;
  const brokers = kafkaBrokers();

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, relayTestRegistry());
  });
  afterAll(async () => {
    await recorder?.stop();
    await Promise.all(relays.map((r) => r.stop()));
    await t?.close();
  });

  it('catches up over 10,000 stored events, all delivered in per-aggregate order', async () => {
    const prefix = uniqueTopicPrefix();
    const writer = new StreamWriter(store, 10);
    const written = await writer.write(10_000, 50); // 20 appends of 500 events
    const { relay } = testRelay(t.db, store, { prefix, brokers, checkpointName: 'load' });
    relays.push(relay);
    const started = performance.now();
    relay.start();
    await waitFor(() => relay.status().checkpoint >= written.at(-1)!.position, 'the relay to publish 10,000 events', 120_000, 5);
    const seconds = (performance.now() - started) / 1000;
    console.log(`[relay load] catch-up: ${written.length} events in ${seconds.toFixed(2)} s = ${Math.round(written.length / seconds)} events/s (batch 500, ${backend})`);

    recorder = await new TopicRecorder(brokers).start(topicsOf(prefix));
    await waitFor(() => eventIds(recorder!.messages).size >= written.length, 'every event on Kafka', 120_000);
    expect(eventIds(recorder.messages).size).toBe(written.length);
    expectPerAggregateOrder(recorder.messages);
  }, 240_000);

  it('keeps up with a steady writer (lag sampled while writing)', async () => {
    const prefix = uniqueTopicPrefix();
    const checkpointName = 'lag';
    await new CheckpointStore(t.db).set(checkpointName, await store.headCursor());
    const { relay } = testRelay(t.db, store, { prefix, brokers, checkpointName });
    relays.push(relay);
    relay.start();
    const writer = new StreamWriter(store, 10);
    const samples: number[] = [];
    let writing = true;
    const sampler = (async () => {
      while (writing) {
        samples.push(Math.max(0, (await store.headPosition()) - relay.status().checkpoint));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const started = performance.now();
    let count = 0;
    while (performance.now() - started < 5000) {
      count += (await writer.round(2)).length; // 20 events per append, as fast as the store takes them
      relay.notify(); // what EventBusPublisher.committed$ does in the app
    }
    const writeSeconds = (performance.now() - started) / 1000;
    writing = false;
    await sampler;
    const head = await store.headPosition();
    const drainStart = performance.now();
    await waitFor(() => relay.status().checkpoint >= head, 'the relay to drain', 60_000, 5);
    const drainMs = performance.now() - drainStart;
    const sorted = [...samples].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    console.log(
      `[relay load] steady writer: ${count} events in ${writeSeconds.toFixed(1)} s (${Math.round(count / writeSeconds)} events/s written); ` +
        `lag (events) p50 ${pct(0.5)}, p95 ${pct(0.95)}, max ${sorted.at(-1)}; drained ${Math.round(drainMs)} ms after the last write`,
    );
    expect(relay.status().healthy).toBe(true);
  }, 120_000);
});
