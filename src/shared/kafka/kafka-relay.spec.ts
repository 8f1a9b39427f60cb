import { describe, expect, it } from '@jest/globals';
import type { TopicMessages } from 'kafkajs';
import { DomainEvent } from '../domain/event-envelope.js';
import { serializeStored } from '../event-store/serialized-event.js';
import type { StoreCursor, StoredEvent } from '../event-store/stored-event.js';
import type { RelayBroker } from './kafka-relay.broker.js';
import type { ReaderCheckpoints } from '../event-store/checkpoint-store.js';
import { KafkaRelay, type RelaySource } from './kafka-relay.js';

class Happened extends DomainEvent<{ n: number }> {
  static readonly eventType = 'thing.happened';
  static readonly schemaVersion = 1;
}

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

function stored(position: number, aggregateId: string, aggregateVersion: number): StoredEvent {
  const event = new Happened({
    event_id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    event_type: 'thing.happened', aggregate_id: aggregateId, aggregate_type: 'thing',
    payload: { n: position }, timestamp: '2025-12-04T10:30:00.000Z', version: 1,
  });
  return { event, aggregateVersion, position, metadata: position === 1 ? { correlation_id: 'c-1' } : {}, transactionId: String(100 + position) };
}

const at = (position: number): StoreCursor => ({ transactionId: String(100 + position), position });

class MemorySource implements RelaySource {
  reads = 0;
  constructor(readonly events: StoredEvent[]) {}
  async readSettledSerialized(after: StoreCursor, limit: number) {
    this.reads += 1;
    return this.events.filter((e) => BigInt(e.transactionId!) > BigInt(after.transactionId) || (e.transactionId === after.transactionId && e.position > after.position)).slice(0, limit).map(serializeStored);
  }
  async headPosition() {
    return this.events.at(-1)?.position ?? 0;
  }
}

class MemoryCheckpoints implements ReaderCheckpoints {
  readonly writes: number[] = [];
  async get() {
    return at(this.writes.at(-1) ?? 0);
  }
  async advance(_: string, cursor: StoreCursor) {
    this.writes.push(cursor.position);
  }
}

/** Refuses every send while `down`, holds each send while `held`; records what it acknowledged. */
class FakeBroker implements RelayBroker {
  readonly acked: TopicMessages[][] = [];
  attempts = 0;
  held?: Promise<void>;
  constructor(public down = false) {}
  async connect() {}
  async ensureTopics() {}
  async sendBatch(batch: TopicMessages[]) {
    this.attempts += 1;
    if (this.down) throw new Error('broker unreachable');
    await this.held;
    this.acked.push(batch);
  }
  async probe() {}
  async reset() {}
  async disconnect() {}
}

const quiet = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

describe('KafkaRelay', () => {
  it('publishes in position order, one request per batch, topics by type, checkpoint after each ack', async () => {
    const source = new MemorySource([stored(1, A, 1), stored(2, B, 1), stored(3, A, 2), stored(4, A, 3), stored(5, B, 2)]);
    const checkpoints = new MemoryCheckpoints();
    const broker = new FakeBroker();
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', batchSize: 2, logger: quiet });
    relay.start();
    await until(() => relay.status().checkpoint === 5);
    await relay.stop();
    expect(checkpoints.writes).toEqual([2, 4, 5]);
    expect(broker.acked).toHaveLength(3);
    const first = broker.acked[0]![0]!;
    expect(first.topic).toBe('mm.thing.thing.happened');
    expect(first.messages.map((m) => m.key)).toEqual([A, B]);
    expect(first.messages[0]!.headers).toEqual({ event_type: 'thing.happened', event_id: '00000000-0000-4000-8000-000000000001', aggregate_version: '1', correlation_id: 'c-1' });
    expect(JSON.parse(String(first.messages[0]!.value))).toEqual(source.events[0]!.event.toEnvelope());
  });

  it('does not move the checkpoint until the broker acknowledges, and retries the same batch', async () => {
    const source = new MemorySource([stored(1, A, 1), stored(2, A, 2)]);
    const checkpoints = new MemoryCheckpoints();
    const broker = new FakeBroker(true);
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', initialBackoffMs: 1, maxBackoffMs: 2, logger: quiet });
    relay.start();
    await until(() => broker.attempts >= 3);
    expect(checkpoints.writes).toEqual([]);
    expect(relay.status()).toMatchObject({ healthy: false, lastError: 'broker unreachable', checkpoint: 0 });
    broker.down = false;
    await until(() => relay.status().checkpoint === 2);
    await relay.stop();
    expect(broker.acked.flat().flatMap((t) => t.messages.map((m) => m.headers!.aggregate_version))).toEqual(['1', '2']);
    expect(checkpoints.writes).toEqual([2]);
    expect(relay.status().healthy).toBe(true);
  });

  it('resumes after the stored checkpoint and wakes on notify()', async () => {
    const source = new MemorySource([stored(1, A, 1), stored(2, A, 2)]);
    const checkpoints = new MemoryCheckpoints();
    checkpoints.writes.push(1);
    const broker = new FakeBroker();
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', pollIntervalMs: 60_000, logger: quiet });
    relay.start();
    await until(() => relay.status().checkpoint === 2);
    expect(broker.acked.flat().flatMap((t) => t.messages)).toHaveLength(1);
    source.events.push(stored(3, B, 1));
    relay.notify(); // without it the next read would wait a minute
    await until(() => relay.status().checkpoint === 3);
    await relay.stop();
  });

  it('reads and maps the next batch while the broker still holds this one, and checkpoints only what it acknowledged', async () => {
    const source = new MemorySource([1, 2, 3, 4].map((p) => stored(p, A, p)));
    const checkpoints = new MemoryCheckpoints();
    const broker = new FakeBroker();
    let release!: () => void;
    broker.held = new Promise((r) => (release = r));
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', batchSize: 2, logger: quiet });
    relay.start();
    await until(() => broker.attempts === 1 && source.reads >= 2); // batch 2 was read during send 1
    expect(checkpoints.writes).toEqual([]);
    expect(relay.status().checkpoint).toBe(0);
    release();
    await until(() => relay.status().checkpoint === 4);
    await relay.stop();
    expect(checkpoints.writes).toEqual([2, 4]);
    expect(broker.acked.flat().flatMap((t) => t.messages.map((m) => m.headers!.aggregate_version))).toEqual(['1', '2', '3', '4']);
  });

  it('given a slow checkpoint write, when the next batch is acknowledged meanwhile, then its send did not wait and the checkpoints follow the acks in order', async () => {
    const source = new MemorySource([1, 2, 3, 4, 5, 6].map((p) => stored(p, A, p)));
    const checkpoints = new MemoryCheckpoints();
    let releaseWrite!: () => void;
    const writeHeld = new Promise<void>((r) => (releaseWrite = r));
    const advance = checkpoints.advance.bind(checkpoints);
    checkpoints.advance = async (name, cursor) => {
      await writeHeld;
      await advance(name, cursor);
    };
    const broker = new FakeBroker();
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', batchSize: 2, logger: quiet });
    relay.start();
    await until(() => broker.acked.length === 3 && source.reads >= 3); // all three sent, batches read ahead of them
    expect(relay.status().checkpoint).toBe(0); // nothing recorded yet: the checkpoint is the written one
    releaseWrite();
    await until(() => relay.status().checkpoint === 6);
    await relay.stop();
    expect(checkpoints.writes).toEqual([2, 4, 6]);
  });

  it('splits a read into requests under the byte budget, each acknowledged before the next', async () => {
    const source = new MemorySource([1, 2, 3, 4, 5].map((p) => stored(p, A, p)));
    const checkpoints = new MemoryCheckpoints();
    const broker = new FakeBroker();
    const relay = new KafkaRelay(source, checkpoints, broker, { topicPrefix: 'mm', maxRequestBytes: 700, logger: quiet });
    relay.start();
    await until(() => relay.status().checkpoint === 5);
    await relay.stop();
    expect(broker.acked.length).toBeGreaterThan(1);
    expect(checkpoints.writes).toHaveLength(broker.acked.length);
    expect(broker.acked.flat().flatMap((t) => t.messages.map((m) => m.headers!.aggregate_version))).toEqual(['1', '2', '3', '4', '5']);
  });
});
