import { Logger, type LoggerService } from '@nestjs/common';
import type { TopicMessages } from 'kafkajs';
import type { StoredEvent } from '../event-store/stored-event.js';
import { approximateSize, toRelayMessage, type RelayMessage } from './event-message.mapper.js';
import type { RelayBroker } from './kafka-relay.broker.js';
import { Signal } from './signal.js';

/** The store as the relay reads it: `PostgresEventStore` fits. */
export interface RelaySource {
  readAll(q: { afterPosition: number; limit: number }): Promise<StoredEvent[]>;
  headPosition(): Promise<number>;
}

/** `CheckpointStore` fits. */
export interface RelayCheckpoints {
  get(name: string): Promise<number>;
  set(name: string, position: number): Promise<void>;
}

export interface KafkaRelayOptions {
  topicPrefix: string;
  checkpointName?: string;
  /** Events per read. */
  batchSize?: number;
  /** Bytes per produce request, under the broker's default `message.max.bytes` (1 MB). */
  maxRequestBytes?: number;
  /** Safety net for writes the relay is not told about (another process, a missed wake-up). */
  pollIntervalMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: LoggerService;
}

export interface KafkaRelayStatus {
  running: boolean;
  /** Last position the broker acknowledged (and the checkpoint recorded). */
  checkpoint: number;
  published: number;
  healthy: boolean;
  lastError?: string;
  failingSince?: string;
}

export const KAFKA_RELAY_CHECKPOINT = 'kafka-relay';

/**
 * Transactional-outbox relay over the event store: reads from its checkpoint in position
 * order (gap-free: see PostgresEventStore), publishes each read batch and waits for the
 * broker's acknowledgement, THEN moves the checkpoint. A crash between the two republishes
 * the batch: at-least-once, consumers dedupe by event_id. One batch is fully acknowledged
 * before the next is read, so within a topic partition (key = aggregate id) the records
 * follow the store's order. Broker or database failures never escape: the loop backs off
 * exponentially (capped) and resumes from the same position.
 */
export class KafkaRelay {
  private readonly log: LoggerService;
  private readonly name: string;
  private readonly batchSize: number;
  private readonly maxRequestBytes: number;
  private readonly pollIntervalMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly wake = new Signal();
  private readonly stopped = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private position = -1;
  private published = 0;
  private lastError?: string;
  private failingSince?: Date;

  constructor(
    private readonly source: RelaySource,
    private readonly checkpoints: RelayCheckpoints,
    private readonly broker: RelayBroker,
    private readonly options: KafkaRelayOptions,
  ) {
    this.log = options.logger ?? new Logger('KafkaRelay');
    this.name = options.checkpointName ?? KAFKA_RELAY_CHECKPOINT;
    this.batchSize = options.batchSize ?? 500;
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New events were committed: read now instead of at the next poll. */
  notify(): void {
    this.wake.fire();
  }

  async stop(): Promise<void> {
    if (!this.loop || this.stopping) return;
    this.stopping = true;
    this.stopped.fire();
    this.wake.fire();
    // A produce request in flight finishes (or times out) first; disconnecting cuts it short.
    if (!(await settlesWithin(this.loop, 5000))) this.log.warn('Kafka relay: a publish was still in flight at shutdown');
    await this.broker.disconnect();
    await settlesWithin(this.loop, 2000);
  }

  status(): KafkaRelayStatus {
    return {
      running: !!this.loop && !this.stopping,
      checkpoint: Math.max(this.position, 0),
      published: this.published,
      healthy: this.lastError === undefined,
      ...(this.lastError !== undefined ? { lastError: this.lastError, failingSince: this.failingSince?.toISOString() } : {}),
    };
  }

  /** Broker connectivity right now (readiness): the loop's verdict if failing, else a metadata round trip. */
  async probe(timeoutMs = 2000): Promise<void> {
    if (this.lastError !== undefined) throw new Error(this.lastError);
    await this.broker.probe(timeoutMs);
  }

  private async run(): Promise<void> {
    let backoff = this.initialBackoffMs;
    while (!this.stopping) {
      try {
        if (this.position < 0) this.position = await this.checkpoints.get(this.name);
        await this.broker.connect();
        const more = await this.publishNextBatch();
        this.recovered();
        backoff = this.initialBackoffMs;
        if (!more) await this.wake.wait(this.pollIntervalMs);
      } catch (err) {
        if (this.stopping) break;
        this.failed(err, backoff);
        await this.broker.reset(err).catch(() => undefined);
        await this.stopped.wait(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  /** One read, published in order; false when there was nothing to publish. */
  private async publishNextBatch(): Promise<boolean> {
    const events = await this.source.readAll({ afterPosition: this.position, limit: this.batchSize });
    if (events.length === 0) return false;
    const messages = events.map((e) => toRelayMessage(e, this.options.topicPrefix));
    await this.broker.ensureTopics(messages.map((m) => m.topic));
    for (const request of splitBySize(messages, this.maxRequestBytes)) {
      await this.broker.sendBatch(byTopic(request));
      const last = request[request.length - 1]!.position;
      await this.checkpoints.set(this.name, last);
      this.position = last;
      this.published += request.length;
    }
    return true;
  }

  private failed(err: unknown, backoffMs: number): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.lastError === undefined) {
      this.failingSince = new Date();
      this.log.warn({
        msg: `Kafka relay: publishing failed (${message}); events are still stored and will be published when it recovers`,
        checkpoint: this.position,
      });
    } else {
      this.log.debug?.({ msg: `Kafka relay: still failing (${message}), next attempt in ${backoffMs} ms` });
    }
    this.lastError = message;
  }

  private recovered(): void {
    if (this.lastError === undefined) return;
    const downMs = Date.now() - (this.failingSince?.getTime() ?? Date.now());
    this.log.log({ msg: 'Kafka relay: publishing again', down_ms: downMs, checkpoint: this.position });
    this.lastError = undefined;
    this.failingSince = undefined;
  }
}

/** Consecutive runs of messages whose total size stays under `maxBytes` (at least one each). */
function splitBySize(messages: RelayMessage[], maxBytes: number): RelayMessage[][] {
  const out: RelayMessage[][] = [];
  let current: RelayMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const s = approximateSize(m);
    if (current.length > 0 && size + s > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Groups by topic keeping position order inside each topic (a Map keeps first-seen topic order). */
function byTopic(messages: RelayMessage[]): TopicMessages[] {
  const topics = new Map<string, TopicMessages>();
  for (const m of messages) {
    let entry = topics.get(m.topic);
    if (!entry) topics.set(m.topic, (entry = { topic: m.topic, messages: [] }));
    entry.messages.push(m.message);
  }
  return [...topics.values()];
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
