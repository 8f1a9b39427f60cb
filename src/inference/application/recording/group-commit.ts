import type { Logger } from '@nestjs/common';
import { databaseOutage } from '../../../shared/database/database-unavailable.js';
import { ConcurrencyConflictError, DomainError } from '../../../shared/domain/domain-error.js';
import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import type { PostgresEventStore } from '../../../shared/event-store/event-store.js';
import type { StoredEvent, StreamAppend } from '../../../shared/event-store/stored-event.js';
import type { EventBusPublisher } from '../../../shared/nest/event-bus.publisher.js';
import type { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { INFERENCE_QUEUE } from '../../domain/inference-queue.events.js';
import type { InferenceQueue } from '../inference-queue.aggregate.js';
import type { JobPayloads } from '../ports/live-queue.port.js';
import { payloadChanges } from './payload-changes.js';
import { RECORD_QUEUE, recordQueueParameters } from './queue-record.statement.js';
import { refuseEntry, type Entry } from './refused-entry.js';

const MAX_EVENTS_PER_FLUSH = 5_000;
const MAX_RETRY_DELAY_MS = 2_000;
/** How long facts nobody waits on may wait for a flush that has to happen anyway (docs/architecture.md, "Recording"). */
export const DEFERRED_FLUSH_MS = 20;
const noop = () => {};

/** A sync job's admission and any job's start: no caller waits on them and nothing is stored with them, so they may ride with the job's end. */
export function mayWait(entry: Pick<Entry, 'events' | 'payloads' | 'also'>): boolean {
  const { events, payloads, also } = entry;
  if (also.length || payloads.inputs?.size || payloads.outputs?.size) return false;
  return events.every((e) => e.event_type === 'job.started' || e.event_type === 'job.submitted');
}

/** What a group commit writes with and to (the QueueRecorder's collaborators). */
export interface GroupCommitDeps {
  store: PostgresEventStore;
  /** How long a completed job's outputs are kept. */
  resultTtlMs: number;
  publisher: EventBusPublisher;
  context: EventContextFactory;
  snapshotEvery: number;
  logger: Logger;
}

/**
 * The backlog of the live queue's decided events, written one statement per flush
 * in decision order; outages retry, a refusal fails one job, a conflict fences.
 */
export class GroupCommit {
  private backlog: Entry[] = [];
  private flushing = false;
  private retry: { delayMs: number; timer?: NodeJS.Timeout } = { delayMs: 0 };
  private deferred: NodeJS.Timeout | undefined;
  private sinceSnapshot = 0;
  private unrecorded = 0;
  private fenced: string | undefined;
  private recordedVersion: number;

  constructor(
    private readonly deps: GroupCommitDeps,
    private readonly queue: InferenceQueue,
  ) {
    this.recordedVersion = queue.version;
  }

  /** False while flushes fail for want of a database. */
  get reachable(): boolean {
    return this.retry.delayMs === 0;
  }

  /** Why the stream was lost, once it is. */
  get fencedBy(): string | undefined {
    return this.fenced;
  }

  /** Events decided and not yet committed. */
  get unrecordedEvents(): number {
    return this.unrecorded;
  }

  get recordedStreamVersion(): number {
    return this.recordedVersion;
  }

  /** Queues one decision's events (and appends to other streams) for the next flush; resolves once committed. */
  add(events: DomainEvent[], payloads: JobPayloads, also: StreamAppend[]): Promise<void> {
    const recorded = new Promise<void>((resolve, reject) => this.backlog.push({ events, payloads, also, settle: { resolve, reject } }));
    recorded.catch(noop); // callers that do not wait (sync jobs) must not see an unhandled rejection
    this.unrecorded += events.length;
    this.kick();
    return recorded;
  }

  /** Waits (bounded) for the backlog to be recorded, then stops retrying. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.kick(true);
    while ((this.backlog.length || this.flushing) && !this.fenced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    clearTimeout(this.retry.timer);
    clearTimeout(this.deferred);
    if (this.backlog.length) this.deps.logger.error({ msg: 'shutting down with unrecorded queue events', events: this.unrecorded });
  }

  private kick(now = false): void {
    if (this.flushing || this.backlog.length === 0 || this.retry.timer) return;
    if (!now && this.backlog.every(mayWait)) {
      // A sync job then costs one statement, not two: its submission and start go with its end.
      this.deferred ??= setTimeout(() => {
        this.deferred = undefined;
        this.kick(true);
      }, DEFERRED_FLUSH_MS).unref();
      return;
    }
    clearTimeout(this.deferred);
    this.deferred = undefined;
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
        this.deps.logger.error({ msg: 'the database refused a job record: that job alone fails', error: err instanceof Error ? err.message : String(err) });
        this.unrecorded -= entry.events.length;
        const { forgotten, replacement } = refuseEntry(entry, err, this.queue, this.deps.context.create());
        // A forgotten job's events decided before the refusal still wait: they go now, and nothing is remembered of it.
        this.dropEventsOf(forgotten, [...entries.slice(i + 1), ...this.backlog]);
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
    return entries.flatMap((e) => e.events);
  }

  private dropEventsOf(jobIds: ReadonlySet<string>, pending: readonly Entry[]): void {
    if (jobIds.size === 0) return;
    for (const entry of pending) {
      const kept = entry.events.filter((e) => !jobIds.has(e.payload.job_id as string));
      this.unrecorded -= entry.events.length - kept.length;
      entry.events = kept;
    }
  }

  private async write(entries: readonly Entry[], own: DomainEvent[], snapshot: StreamAppend['snapshot']): Promise<StoredEvent[]> {
    const streams: StreamAppend[] = entries.flatMap((e) => e.also);
    if (own.length) {
      streams.unshift({ aggregateId: this.queue.id, aggregateType: INFERENCE_QUEUE, expectedVersion: this.recordedVersion, events: own, snapshot });
    }
    if (streams.length === 0) return [];
    const events = streams.flatMap((s) => s.events);
    const payloads = payloadChanges(events, entries.map((e) => e.payloads), this.deps.resultTtlMs);
    return this.deps.store.appendWith(streams, RECORD_QUEUE, recordQueueParameters(events, payloads));
  }

  private committed(entries: readonly Entry[], ownCount: number, stored: StoredEvent[], snapshotted: boolean): void {
    this.recordedVersion += ownCount;
    this.sinceSnapshot = snapshotted ? 0 : this.sinceSnapshot + ownCount;
    this.unrecorded -= entries.reduce((n, e) => n + e.events.length, 0);
    if (this.retry.delayMs) this.deps.logger.log({ msg: 'the database is back: queue events recorded again', backlog: this.unrecorded });
    this.retry.delayMs = 0;
    if (stored.length) this.deps.publisher.publish(stored);
    for (const e of entries) e.settle.resolve();
  }

  /** The state after every event of this flush (nothing is left in the backlog), when a snapshot is due. */
  private snapshotIfDue(ownCount: number): StreamAppend['snapshot'] {
    // The aggregate's own interval (it grows with the live jobs); counted here in recorded events.
    if (this.sinceSnapshot + ownCount < this.queue.snapshotInterval(this.deps.snapshotEvery)) return undefined;
    return {
      aggregateVersion: this.recordedVersion + ownCount,
      schemaVersion: this.queue.snapshotSchemaVersion,
      state: structuredClone(this.queue.snapshotState()),
    };
  }

  private unavailable(err: unknown, pending: Entry[]): boolean {
    if (!databaseOutage(err)) return false;
    if (this.retry.delayMs === 0) this.deps.logger.warn({ msg: 'the database is unreachable: queue events wait in memory', error: String(err) });
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
    this.deps.logger.error({ msg: 'inference queue fenced: another instance took over this stream; restart this instance', queue_id: this.queue.id });
    const refusal = new DomainError('SERVICE_UNAVAILABLE', 'this instance lost its inference queue to another instance');
    for (const e of [...pending, ...this.backlog.splice(0)]) e.settle.reject(refusal);
    this.unrecorded = 0;
    return true;
  }
}
