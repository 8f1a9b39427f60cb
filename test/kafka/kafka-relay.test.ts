import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createEvent } from '../../src/shared/domain/event-envelope.js';
import { MODEL_CATALOG, ModelRegistered } from '../../src/registry/domain/model-catalog.events.js';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { KafkaRelay, KafkaRelayOptions, RelaySource } from '../../src/shared/kafka/kafka-relay.js';
import type { StoreCursor } from '../../src/shared/event-store/stored-event.js';
import { ThingHappened } from '../support/test-events.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { describeKafka, kafkaBrokers, TopicRecorder, uniqueTopicPrefix, waitFor } from '../support/kafka.js';
import { eventIds, expectPerAggregateOrder, liveContext, relayTestRegistry, StreamWriter, testRelay, topicsOf } from './relay-fixtures.js';

// One backend is enough here: the relay only reads through PostgresEventStore, whose
// gap-free ordering is proven on every backend by the event-store suite.
const backend = databaseBackends()[0]!;

describeKafka(`Kafka relay on a real broker (${backend})`, () => {
  let t: TestDatabase;
  let store: PostgresEventStore;
  const relays: KafkaRelay[] = [];
  const recorders: TopicRecorder[] = [];
  const brokers = kafkaBrokers();

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, relayTestRegistry());
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all(recorders.map((r) => r.stop()));
    await t?.close();
  });

  /** A relay whose checkpoint starts at the current head: it publishes only what the test writes next. */
  async function relayFromHead(prefix: string, extra: Partial<KafkaRelayOptions> = {}, source: RelaySource = store) {
    const checkpointName = `relay-${prefix}`;
    await new CheckpointStore(t.db).set(checkpointName, await store.headCursor());
    const made = testRelay(t.db, source, { prefix, brokers, checkpointName, ...extra });
    relays.push(made.relay);
    return made;
  }

  async function record(topics: string[]): Promise<TopicRecorder> {
    const r = await new TopicRecorder(brokers).start(topics);
    recorders.push(r);
    return r;
  }

  it('publishes a registered model to modelmora.model_catalog.model.registered: key = aggregate id, value = the stored envelope', async () => {
    const catalogId = randomUUID();
    const event = createEvent(
      ModelRegistered,
      { id: catalogId, type: MODEL_CATALOG },
      {
        model_id: `kafka-test/${catalogId.slice(0, 8)}`, task_type: 'txt2embed', version: 'v1', display_name: 'Relay test',
        description: null, source_url: null, checksum: null, resource_requirements: { memory_mb: 128 }, config: {},
      },
      liveContext(),
    );
    const [stored] = await store.append({ aggregateId: catalogId, aggregateType: MODEL_CATALOG, expectedVersion: 0, events: [event], metadata: { correlation_id: 'corr-reg-1', causation_id: 'cause-reg-1' } });
    // The default prefix and checkpoint, from position 0: exactly what the app runs.
    const { relay } = testRelay(t.db, store, { prefix: 'modelmora', brokers, checkpointName: 'kafka-relay' });
    relays.push(relay);
    relay.start();
    await waitFor(() => relay.status().checkpoint >= stored!.position, 'the relay to publish the registration');
    expect((await new CheckpointStore(t.db).get('kafka-relay')).position).toBe(stored!.position);
    await relay.stop();

    const topic = 'modelmora.model_catalog.model.registered';
    const recorder = await record([topic]);
    const got = await waitFor(() => recorder.on(topic).find((m) => m.headers.event_id === event.event_id), 'the record on Kafka');
    const [fromStore] = (await store.readAll({ aggregateId: catalogId })).filter((s) => s.event.event_id === event.event_id);
    expect(got.key).toBe(catalogId);
    expect(got.value).toBe(JSON.stringify(fromStore!.event.toEnvelope()));
    expect(JSON.parse(got.value!)).toEqual(JSON.parse(JSON.stringify(event)));
    expect(Object.keys(JSON.parse(got.value!)).sort()).toEqual(['aggregate_id', 'aggregate_type', 'event_id', 'event_type', 'payload', 'timestamp', 'version']);
    expect(got.headers).toEqual({
      event_type: 'model.registered', event_id: event.event_id, aggregate_version: '1', correlation_id: 'corr-reg-1', causation_id: 'cause-reg-1',
    });
  });

  it('delivers 1,000 events of 10 aggregates over two topics: every event_id, each aggregate in order', async () => {
    const prefix = uniqueTopicPrefix();
    const { relay } = await relayFromHead(prefix);
    relay.start(); // running while the events are written: batches interleave with appends
    const writer = new StreamWriter(store, 10);
    const written = await writer.write(1000, 2);
    for (let i = 0; i < written.length; i += 100) relay.notify();
    await waitFor(() => relay.status().checkpoint >= written.at(-1)!.position, 'the relay to catch up', 60_000);

    const recorder = await record(topicsOf(prefix));
    await waitFor(() => eventIds(recorder.messages).size >= 1000, '1,000 distinct event ids', 60_000);
    expect(eventIds(recorder.messages)).toEqual(new Set(written.map((s) => s.event.event_id)));
    expectPerAggregateOrder(recorder.messages);
    expect(new Set(recorder.messages.map((m) => m.key))).toEqual(new Set(writer.aggregates));
  });

  it('resumes from its checkpoint after a restart: nothing lost (duplicates allowed)', async () => {
    const prefix = uniqueTopicPrefix();
    const first = await relayFromHead(prefix);
    const checkpointName = `relay-${prefix}`;
    first.relay.start();
    const writer = new StreamWriter(store, 5);
    const before = await writer.write(300, 3);
    await waitFor(() => first.relay.status().checkpoint > before[0]!.position, 'the first relay to publish something');
    await first.relay.stop(); // possibly mid-stream
    const stoppedAt = await new CheckpointStore(t.db).get(checkpointName);
    const after = await writer.write(200, 2);

    const second = testRelay(t.db, store, { prefix, brokers, checkpointName });
    relays.push(second.relay);
    second.relay.start();
    await waitFor(() => second.relay.status().checkpoint >= after.at(-1)!.position, 'the second relay to catch up', 60_000);
    // It read from the stored checkpoint, not from the beginning.
    expect(second.relay.status().published).toBe([...before, ...after].filter((s) => s.position > stoppedAt.position).length);

    const recorder = await record(topicsOf(prefix));
    const all = [...before, ...after];
    await waitFor(() => eventIds(recorder.messages).size >= all.length, 'every event id', 60_000);
    expect(eventIds(recorder.messages)).toEqual(new Set(all.map((s) => s.event.event_id)));
    expectPerAggregateOrder(recorder.messages);
  });

  // PGlite runs one transaction at a time: the interleaving cannot happen there.
  (backend === 'postgres' ? it : it.skip)('publishes an event whose transaction took its position first but committed last', async () => {
    const prefix = uniqueTopicPrefix();
    const reads = new CountedReads(store);
    const { relay } = await relayFromHead(prefix, { pollIntervalMs: 20 }, reads);
    relay.start();
    const earlyId = randomUUID();
    const late = new StreamWriter(store, 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const earlyInserted = new Promise<void>((r) => (inserted = r));

    // Given: transaction 1 takes a position first and is slow to commit.
    const slow = t.db.transaction(async (tx) => {
      const stored = await store.appendIn(tx, [{
        aggregateId: earlyId, aggregateType: 'test_thing', expectedVersion: 0,
        events: [createEvent(ThingHappened, { id: earlyId, type: 'test_thing' }, { n: 0, label: 'early' }, liveContext())],
      }]);
      inserted();
      await gate;
      return stored;
    });
    await earlyInserted;
    // When: transaction 2 commits a later position, and the relay reads after that commit.
    const [lateStored] = await late.round();
    const mark = reads.started;
    relay.notify();
    await waitFor(() => reads.completedAfter(mark), 'a relay read that began after the late commit');
    // Then: the relay has not passed the late event while the early transaction is open...
    expect(relay.status().checkpoint).toBeLessThan(lateStored!.position);
    release();
    const [earlyStored] = await slow;
    expect(earlyStored!.position).toBeLessThan(lateStored!.position);
    // ...and publishes both once it committed.
    await waitFor(() => relay.status().checkpoint >= lateStored!.position, 'the relay to pass both events');
    const recorder = await record([topicsOf(prefix)[0]!]); // both are test.thing.happened
    await waitFor(() => eventIds(recorder.messages).size >= 2, 'both events on Kafka');
    expect(eventIds(recorder.messages)).toEqual(new Set([earlyStored!.event.event_id, lateStored!.event.event_id]));
  });
});

/** The store as the relay reads it, counting reads: a test can wait for one that began after a commit. */
class CountedReads implements RelaySource {
  started = 0;
  private readonly done: number[] = [];
  constructor(private readonly store: PostgresEventStore) {}
  async readSettledSerialized(after: StoreCursor, limit: number) {
    const n = ++this.started;
    const events = await this.store.readSettledSerialized(after, limit);
    this.done.push(n);
    return events;
  }
  headPosition() {
    return this.store.headPosition();
  }
  completedAfter(mark: number): boolean {
    return this.done.some((n) => n > mark);
  }
}
