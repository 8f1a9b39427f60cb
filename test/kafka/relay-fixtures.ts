import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { createEvent, DomainEvent, type EventContext } from '../../src/shared/domain/event-envelope.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';
import { modelCatalogEvents } from '../../src/registry/domain/model-catalog.events.js';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import type { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { StoredEvent } from '../../src/shared/event-store/stored-event.js';
import { createKafkaClient } from '../../src/shared/kafka/kafka-client.factory.js';
import { KafkajsRelayBroker } from '../../src/shared/kafka/kafka-relay.broker.js';
import { KafkaRelay, type KafkaRelayOptions, type RelaySource } from '../../src/shared/kafka/kafka-relay.js';
import type { Database } from '../../src/shared/database/database.js';
import { ThingHappened } from '../support/test-events.js';
import { testKafkaOptions, type Received } from '../support/kafka.js';

/** A second event type, so relay batches span several topics. */
export class ThingRenamed extends DomainEvent<{ n: number; name: string }> {
  static readonly eventType = 'test.thing.renamed';
  static readonly schemaVersion = 1;
}

export const relayTestRegistry = () => new EventTypeRegistry().register(ThingHappened, ThingRenamed, ...modelCatalogEvents);

export const liveContext = (): EventContext => ({ now: new Date(), newId: randomUUID });

/** Appends to many streams, keeping each stream's expected version. */
export class StreamWriter {
  readonly aggregates: string[];
  private readonly versions = new Map<string, number>();
  private n = 0;

  constructor(private readonly store: PostgresEventStore, aggregateCount: number) {
    this.aggregates = Array.from({ length: aggregateCount }, () => randomUUID());
  }

  /** One append (one transaction) with `perStream` events for every aggregate, types alternating. */
  async round(perStream = 1): Promise<StoredEvent[]> {
    const streams = this.aggregates.map((id) => {
      const events = Array.from({ length: perStream }, () => {
        const n = this.n++;
        return n % 2 === 0
          ? createEvent(ThingHappened, { id, type: 'test_thing' }, { n, label: `t${n}` }, liveContext())
          : createEvent(ThingRenamed, { id, type: 'test_thing' }, { n, name: `name-${n}` }, liveContext());
      });
      const expectedVersion = this.versions.get(id) ?? 0;
      this.versions.set(id, expectedVersion + perStream);
      return { aggregateId: id, aggregateType: 'test_thing', expectedVersion, events, metadata: { correlation_id: `corr-${id.slice(0, 8)}` } };
    });
    return this.store.append(streams);
  }

  async write(total: number, perStream = 1): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    while (out.length < total) out.push(...(await this.round(perStream)));
    return out;
  }
}

export const topicsOf = (prefix: string) => [`${prefix}.test_thing.test.thing.happened`, `${prefix}.test_thing.test.thing.renamed`];

export interface QuietLogger {
  lines: { level: string; msg: string }[];
  log(m: unknown): void;
  warn(m: unknown): void;
  error(m: unknown): void;
  debug(m: unknown): void;
  verbose(m: unknown): void;
}

export function quietLogger(): QuietLogger {
  const lines: { level: string; msg: string }[] = [];
  const rec = (level: string) => (m: unknown) => {
    lines.push({ level, msg: typeof m === 'string' ? m : String((m as { msg?: unknown })?.msg ?? JSON.stringify(m)) });
  };
  return { lines, log: rec('log'), warn: rec('warn'), error: rec('error'), debug: rec('debug'), verbose: rec('verbose') };
}

/** A relay on real kafkajs, publishing under `prefix`, checkpointed as `checkpointName`. */
export function testRelay(db: Database, store: RelaySource, o: { prefix: string; brokers: string; checkpointName: string } & Partial<KafkaRelayOptions>) {
  const kafka = testKafkaOptions({ topicPrefix: o.prefix, brokers: o.brokers.split(',') });
  const logger = quietLogger();
  const broker = new KafkajsRelayBroker(createKafkaClient(kafka, '-relay', logger));
  const relay = new KafkaRelay(store, new CheckpointStore(db), broker, { pollIntervalMs: 200, logger, ...o, topicPrefix: o.prefix });
  return { relay, logger };
}

/**
 * Consumers dedupe by event_id; after that, within one topic each aggregate's events must
 * arrive in aggregate_version order (one key → one partition → one ordered log).
 */
export function expectPerAggregateOrder(messages: Received[]): void {
  const seen = new Set<string>();
  const last = new Map<string, number>();
  for (const m of messages) {
    const id = m.headers.event_id!;
    if (seen.has(id)) continue;
    seen.add(id);
    const stream = `${m.topic}|${m.key}`;
    const version = Number(m.headers.aggregate_version);
    const before = last.get(stream) ?? 0;
    if (!(version > before)) expect(`${stream}: version ${version} after ${before}`).toBe('increasing versions');
    last.set(stream, version);
  }
}

export const eventIds = (messages: Received[]) => new Set(messages.map((m) => m.headers.event_id));
