import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { databaseOutage } from '../../../shared/database/database-unavailable.js';
import { Database } from '../../../shared/database/database.js';
import { ConcurrencyConflictError, DomainError } from '../../../shared/domain/domain-error.js';
import type { DomainEvent, EventContext } from '../../../shared/domain/event-envelope.js';
import { AggregateRepository } from '../../../shared/event-sourcing/aggregate-repository.js';
import { PostgresEventStore } from '../../../shared/event-store/event-store.js';
import type { StoredEvent, StreamAppend } from '../../../shared/event-store/stored-event.js';
import { EventBusPublisher } from '../../../shared/nest/event-bus.publisher.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { INFERENCE_QUEUE } from '../../domain/inference-queue.events.js';
import { InferenceQueue } from '../inference-queue.aggregate.js';
import { JobsProjection } from '../projections/jobs.projection.js';
import { JobPayloadStore, type JobPayloads } from './job-payload-store.js';
import { refuseEntry, type Entry } from './refused-entry.js';

/** A decision made on the live queue: its result, its events, and when they are on disk. */
export interface Decision<T> {
  value: T;
  events: readonly DomainEvent[];
  /** Resolves once the events committed; rejects if the store refused them for good. */
  recorded: Promise<void>;
}

const MAX_EVENTS_PER_FLUSH = 5_000;
const MAX_RETRY_DELAY_MS = 2_000;
const noop = () => {};

/**
 * The only writer of this instance's inference-queue stream, write-behind.
 *
 * The queue lives in memory and is authoritative while the instance holds its lease:
 * a decision applies its events at once and returns, and the events are appended in
 * the next group commit (one transaction, with the jobs read model and the job
 * payloads), in decision order. Sync jobs never wait for it; async submissions await
 * `recorded`. A database outage keeps the backlog and retries with backoff; a flush
 * the database refuses for its data is retried entry by entry, so only the guilty
 * job fails; a conflict on our own stream means another instance took it over: this
 * instance is fenced and takes no more work.
 */
@Injectable()
export class QueueRecorder implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('InferenceQueue');
  private queue!: InferenceQueue;
  private recordedVersion = 0;
  private sinceSnapshot = 0;
  private backlog: Entry[] = [];
  private unrecorded = 0;
  private flushing = false;
  private retry: { delayMs: number; timer?: NodeJS.Timeout } = { delayMs: 0 };
  private fenced: string | undefined;
  private closed = false;
  private readonly refused = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly store: PostgresEventStore,
    private readonly repository: AggregateRepository,
    private readonly jobs: JobsProjection,
    private readonly payloads: JobPayloadStore,
    private readonly publisher: EventBusPublisher,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.queue = await this.repository.load(new InferenceQueue(this.options.inferenceQueueId));
    this.recordedVersion = this.queue.version;
  }

  get queueId(): string {
    return this.options.inferenceQueueId;
  }

  /**
   * Decides on the live queue now. `payloads` are stored with the events; `also` are
   * appends to other streams that must commit in the same transaction (a takeover).
   */
  decide<T>(
    fn: (queue: InferenceQueue, ctx: EventContext) => T,
    payloads: JobPayloads = {},
    also: StreamAppend[] | ((value: T) => StreamAppend[]) = [],
  ): Decision<T> {
    this.assertOpen();
    let value!: T;
    let failure: { err: unknown } | undefined;
    try {
      value = fn(this.queue, this.context.create());
    } catch (err) {
      failure = { err };
    }
    // Events applied before a throw are facts of the live state: they are recorded all the same.
    const events = [...this.queue.getUncommittedEvents()];
    this.queue.uncommit();
    const others = failure ? [] : typeof also === 'function' ? also(value) : also;
    const recorded = events.length || others.length ? this.enqueue(events, payloads, others) : Promise.resolve();
    if (failure) throw failure.err;
    return { value, events, recorded };
  }

  /** Reads the live queue (no events). */
  read<T>(fn: (queue: InferenceQueue) => T): T {
    return fn(this.queue);
  }

  /** Whether new work may enter: not fenced, and the facts not yet recorded stay under their bound. */
  get accepting(): boolean {
    return !this.fenced && !this.closed && this.unrecorded < this.options.maxUnrecordedEvents;
  }

  /** False while flushes fail for want of a database: durable (async) work is refused meanwhile. */
  get reachable(): boolean {
    return this.retry.delayMs === 0;
  }

  status() {
    return { reachable: this.reachable, fenced: this.fenced ?? null, unrecorded_events: this.unrecorded, recorded_version: this.recordedVersion };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    // Record what was decided; a database that stays away gets a bounded wait, not a hang.
    const deadline = Date.now() + 10_000;
    while ((this.backlog.length || this.flushing) && !this.fenced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    clearTimeout(this.retry.timer);
    if (this.backlog.length) this.logger.error({ msg: 'shutting down with unrecorded queue events', events: this.unrecorded });
  }

  private assertOpen(): void {
    if (this.fenced) throw new DomainError('SERVICE_UNAVAILABLE', `this instance lost its inference queue (${this.fenced}); restart it`);
    if (this.closed) throw new DomainError('SERVICE_UNAVAILABLE', 'the inference queue is shutting down');
  }

  private enqueue(events: DomainEvent[], payloads: JobPayloads, also: StreamAppend[]): Promise<void> {
    const recorded = new Promise<void>((resolve, reject) => this.backlog.push({ events, payloads, also, settle: { resolve, reject } }));
    recorded.catch(noop); // callers that do not wait (sync jobs) must not see an unhandled rejection
    this.unrecorded += events.length;
    this.kick();
    return recorded;
  }

  private kick(): void {
    if (this.flushing || this.backlog.length === 0 || this.retry.timer) return;
    this.flushing = true;
    // setImmediate: the decisions of one tick (a batch's results) share the flush.
    setImmediate(() => void this.flush().finally(() => {
      this.flushing = false;
      this.kick();
    }));
  }

  private async flush(): Promise<void> {
    const entries = this.take();
    const own = this.ownEvents(entries);
    const snapshot = this.backlog.length === 0 ? this.snapshotIfDue(own.length) : undefined;
    try {
      this.committed(entries, own.length, await this.write(entries, own, snapshot), snapshot !== undefined);
    } catch (err) {
      if (this.unavailable(err, entries) || this.fence(err, entries)) return;
      await this.oneByOne(entries);
    }
  }

  /** A refused flush, again entry by entry: the entries the database takes are recorded, the guilty one is not. */
  private async oneByOne(entries: Entry[]): Promise<void> {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const own = this.ownEvents([entry]);
      try {
        this.committed([entry], own.length, await this.write([entry], own, undefined), false);
      } catch (err) {
        if (this.unavailable(err, entries.slice(i)) || this.fence(err, entries.slice(i))) return;
        this.logger.error({ msg: 'the database refused a job record: that job alone fails', error: err instanceof Error ? err.message : String(err) });
        this.unrecorded -= entry.events.length;
        const replacement = refuseEntry(entry, err, this.queue, this.refused, this.context.create());
        if (replacement) {
          this.unrecorded += replacement.events.length;
          entries.splice(i + 1, 0, replacement);
        }
      }
    }
  }

  private take(): Entry[] {
    let n = 0;
    let i = 0;
    while (i < this.backlog.length && (i === 0 || n + this.backlog[i]!.events.length <= MAX_EVENTS_PER_FLUSH)) n += this.backlog[i++]!.events.length;
    return this.backlog.splice(0, i);
  }

  private ownEvents(entries: readonly Entry[]): DomainEvent[] {
    const events = entries.flatMap((e) => e.events);
    return this.refused.size ? events.filter((e) => !this.refused.has(e.payload.job_id as string)) : events;
  }

  private async write(entries: readonly Entry[], own: DomainEvent[], snapshot: StreamAppend['snapshot']): Promise<StoredEvent[]> {
    const streams: StreamAppend[] = entries.flatMap((e) => e.also);
    if (own.length) {
      streams.unshift({ aggregateId: this.queue.id, aggregateType: INFERENCE_QUEUE, expectedVersion: this.recordedVersion, events: own, snapshot });
    }
    if (streams.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const stored = await this.store.appendIn(tx, streams);
      await this.jobs.project(tx, stored);
      await this.payloads.write(tx, stored, entries.map((e) => e.payloads));
      return stored;
    });
  }

  private committed(entries: readonly Entry[], ownCount: number, stored: StoredEvent[], snapshotted: boolean): void {
    this.recordedVersion += ownCount;
    this.sinceSnapshot = snapshotted ? 0 : this.sinceSnapshot + ownCount;
    this.unrecorded -= entries.reduce((n, e) => n + e.events.length, 0);
    if (this.retry.delayMs) this.logger.log({ msg: 'the database is back: queue events recorded again', backlog: this.unrecorded });
    this.retry.delayMs = 0;
    if (stored.length) this.publisher.publish(stored);
    for (const e of entries) e.settle.resolve();
  }

  /** The state after every event of this flush (nothing is left in the backlog), when a snapshot is due. */
  private snapshotIfDue(ownCount: number): StreamAppend['snapshot'] {
    // A snapshot costs O(live jobs): one every max(snapshotEvery, live jobs) events is O(1) per event amortised.
    if (this.sinceSnapshot + ownCount < Math.max(this.options.snapshotEvery, this.queue.size)) return undefined;
    return {
      aggregateVersion: this.recordedVersion + ownCount,
      schemaVersion: this.queue.snapshotSchemaVersion,
      state: structuredClone(this.queue.snapshotState()),
    };
  }

  private unavailable(err: unknown, pending: Entry[]): boolean {
    if (!databaseOutage(err)) return false;
    if (this.retry.delayMs === 0) this.logger.warn({ msg: 'the database is unreachable: queue events wait in memory', error: String(err) });
    this.backlog.unshift(...pending);
    this.retry.delayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(50, this.retry.delayMs * 2));
    this.retry.timer = setTimeout(() => {
      this.retry.timer = undefined;
      this.kick();
    }, this.retry.delayMs);
    return true;
  }

  private fence(err: unknown, pending: Entry[]): boolean {
    if (!(err instanceof ConcurrencyConflictError) || err.details?.aggregate_id !== this.queue.id) return false;
    this.fenced = 'another instance wrote to its stream';
    this.logger.error({ msg: 'inference queue fenced: another instance took over this stream; restart this instance', queue_id: this.queue.id });
    const refusal = new DomainError('SERVICE_UNAVAILABLE', 'this instance lost its inference queue to another instance');
    for (const e of [...pending, ...this.backlog.splice(0)]) e.settle.reject(refusal);
    this.unrecorded = 0;
    return true;
  }
}
