import { Logger, type LoggerService } from '@nestjs/common';
import type { ReaderCheckpoints } from '../event-store/checkpoint-store.js';
import type { SerializedEvent } from '../event-store/serialized-event.js';
import type { StoreCursor } from '../event-store/stored-event.js';
import type { RelayBroker } from './kafka-relay.broker.js';
import { TopicNames, toRelayBatch, type RelayBatch, type RelayRequest } from './kafka-relay.batch.js';
import { RelayHealth } from './kafka-relay.health.js';
import { CatchUpLoop, type CatchUpProgress, type CatchUpState } from '../event-store/catch-up-loop.js';

/** The store as the relay reads it: `PostgresEventStore` fits. */
export interface RelaySource {
  /** Settled events after the cursor, in (transaction id, position) order, as the envelopes' JSON text. */
  readSettledSerialized(after: StoreCursor, limit: number): Promise<SerializedEvent[]>;
  headPosition(): Promise<number>;
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
  state: CatchUpState;
  /** Position of the last event the broker acknowledged (and the checkpoint recorded). */
  checkpoint: number;
  cursor?: StoreCursor;
  published: number;
  healthy: boolean;
  lastError?: string;
  failingSince?: string;
}

export const KAFKA_RELAY_CHECKPOINT = 'kafka-relay';

/** Batches read and mapped ahead of the one being sent: a slow read (a busy database) hides behind earlier sends. */
const READ_AHEAD = 2;

/** A chain of reads, each starting where the one before ended, kept `depth` ahead of the consumer. */
class ReadAhead {
  private readonly queue: Promise<RelayBatch | undefined>[] = [];

  constructor(
    private readonly read: (after: StoreCursor) => Promise<RelayBatch | undefined>,
    from: StoreCursor,
    depth: number,
  ) {
    this.queue.push(this.started(this.read(from)));
    while (this.queue.length < depth) this.extend();
  }

  next(): Promise<RelayBatch | undefined> {
    const head = this.queue.shift()!;
    this.extend();
    return head;
  }

  private extend(): void {
    // After an empty read (caught up) the chain stops; the loop's next step starts a fresh one.
    this.queue.push(this.started(this.queue.at(-1)!.then((batch) => (batch ? this.read(batch.last) : undefined))));
  }

  /** Awaited in turn by next(); a failure is handled there, not as an unhandled rejection. */
  private started(read: Promise<RelayBatch | undefined>): Promise<RelayBatch | undefined> {
    read.catch(() => undefined);
    return read;
  }
}

/**
 * Outbox relay: publishes settled events from its checkpoint, in the store's order, and moves the
 * checkpoint only after the broker's ack (at-least-once; consumers dedupe by event_id). Reads
 * overlap sends; sends stay one at a time, so each partition keeps the store's order.
 */
export class KafkaRelay {
  private readonly log: LoggerService;
  private readonly name: string;
  private readonly batchSize: number;
  private readonly maxRequestBytes: number;
  private readonly loop: CatchUpLoop;
  /** The last cursor the broker acknowledged AND the checkpoint recorded. */
  private acked?: StoreCursor;
  private published = 0;
  private readonly health: RelayHealth;
  private readonly topics: TopicNames;

  constructor(
    private readonly source: RelaySource,
    private readonly checkpoints: ReaderCheckpoints,
    private readonly broker: RelayBroker,
    private readonly options: KafkaRelayOptions,
  ) {
    this.log = options.logger ?? new Logger('KafkaRelay');
    this.name = options.checkpointName ?? KAFKA_RELAY_CHECKPOINT;
    this.batchSize = options.batchSize ?? 500;
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
    this.health = new RelayHealth(this.log);
    this.topics = new TopicNames(options.topicPrefix);
    this.loop = new CatchUpLoop(() => this.publishAvailable(), {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      initialBackoffMs: options.initialBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      onFailure: async (err, backoffMs) => {
        this.health.failed(err, backoffMs, this.acked?.position);
        await this.broker.reset(err).catch(() => undefined);
      },
      onSuccess: () => this.health.recovered(this.acked?.position),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** New events were committed: read now instead of at the next poll. */
  notify(): void {
    this.loop.notify();
  }

  async stop(): Promise<void> {
    if (!this.loop.running) return;
    const stopped = this.loop.stop();
    // A produce request in flight finishes (or times out) first; disconnecting cuts it short.
    if (!(await settlesWithin(stopped, 5000))) this.log.warn('Kafka relay: a publish was still in flight at shutdown');
    await this.broker.disconnect();
    await settlesWithin(stopped, 2000);
  }

  status(): KafkaRelayStatus {
    return {
      running: this.loop.running,
      state: this.loop.state,
      checkpoint: this.acked?.position ?? 0,
      ...(this.acked ? { cursor: this.acked } : {}),
      published: this.published,
      ...this.health.report(),
    };
  }

  /** Broker connectivity right now (readiness): the loop's verdict if failing, else a metadata round trip. */
  async probe(timeoutMs = 2000): Promise<void> {
    if (this.health.error !== undefined) throw new Error(this.health.error);
    await this.broker.probe(timeoutMs);
  }

  /**
   * Publishes until a read comes back empty. Reads run up to READ_AHEAD batches ahead of the
   * send, back to back; checkpoint writes follow the acks in order without holding up the next send.
   */
  private async publishAvailable(): Promise<CatchUpProgress> {
    this.acked ??= await this.checkpoints.get(this.name);
    await this.broker.connect();
    const reads = new ReadAhead((after) => this.prepare(after), this.acked, READ_AHEAD);
    let recording: Promise<void> = Promise.resolve();
    let recordFailed: { error: unknown } | undefined;
    let progress: CatchUpProgress = 'nothing';
    try {
      for (let batch = await reads.next(); batch && this.loop.running; batch = await reads.next()) {
        progress = 'caught-up';
        await this.broker.ensureTopics(batch.topics);
        for (const request of batch.requests) {
          if (recordFailed) throw recordFailed.error;
          await this.broker.sendBatch(request.topicMessages);
          // Chained: checkpoints are written in order, each only after its own ack.
          recording = recording.then(() => this.record(request));
          recording.catch((error: unknown) => (recordFailed ??= { error }));
        }
      }
    } catch (err) {
      await recording.catch(() => undefined);
      throw err;
    }
    await recording;
    return progress;
  }

  private async prepare(after: StoreCursor): Promise<RelayBatch | undefined> {
    const events = await this.source.readSettledSerialized(after, this.batchSize);
    return events.length ? toRelayBatch(events, this.topics, this.maxRequestBytes) : undefined;
  }

  private async record(request: RelayRequest): Promise<void> {
    await this.checkpoints.advance(this.name, request.last);
    this.acked = request.last;
    this.published += request.count;
  }
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
