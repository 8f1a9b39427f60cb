import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ConcurrencyConflictError, DomainError } from '../../shared/domain/domain-error.js';
import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import type { StoredEvent } from '../../shared/event-store/stored-event.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { FlushPayloads, PendingPayloads } from './flush-payloads.js';
import { InferenceQueue } from './inference-queue.aggregate.js';

/**
 * One decision on the queue. It must only touch the aggregate and `payloads`: on a
 * concurrency conflict it runs again on fresh state.
 */
export type QueueDecision<T> = (queue: InferenceQueue, ctx: EventContext, payloads: FlushPayloads) => T;

export interface Decided<T> {
  value: T;
  /** The events this decision appended, as stored (with positions). */
  events: StoredEvent[];
}

/** Told of every commit, before the callers of that flush resume. */
export type CommitListener = (events: readonly StoredEvent[], payloads: FlushPayloads) => void;

interface Request {
  decide: QueueDecision<unknown>;
  resolve: (d: Decided<unknown>) => void;
  reject: (err: unknown) => void;
  conflicts: number;
}

/** More decisions than this wait for the next flush, so one transaction stays bounded. */
const MAX_DECISIONS_PER_FLUSH = 1_000;
const MAX_CONFLICT_RETRIES = 5;

/**
 * The single writer of the inference queue's stream, with group commit.
 *
 * Every submit, start, completion, failure and cancel is a closure queued here. The
 * writer keeps ONE loaded `InferenceQueue` in memory and, whenever it is idle, takes
 * every closure queued so far, runs them one after the other on that instance (each
 * decision sees the ones before it), and saves all the resulting events in ONE append:
 * one transaction, one advisory lock, one multi-row INSERT, the read models and the
 * job payloads in the same transaction. Each caller then gets the events of its own
 * decision. While a flush is in the database, new closures pile up for the next one,
 * so the batch grows with the load by itself: one job costs one transaction when the
 * queue is quiet, and a burst of N concurrent jobs costs about one transaction per
 * database round trip instead of N.
 *
 * Why this scales with the stream: the aggregate holds live jobs only, so memory, the
 * snapshot (taken in the append's transaction every `snapshotEvery` events) and a
 * reload (latest snapshot + at most `snapshotEvery` events) are O(live jobs), however
 * many millions of events the stream has. The in-memory instance is reused between
 * flushes; it is reloaded only after a failed flush (a conflict with another writer,
 * or a database error), since it may then hold events that were never stored.
 */
@Injectable()
export class QueueWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('InferenceQueue');
  private queue: InferenceQueue | undefined;
  private pending: Request[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly listeners: CommitListener[] = [];

  constructor(
    private readonly repository: AggregateRepository,
    private readonly context: EventContextFactory,
    private readonly payloads: PendingPayloads,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** Decides on the live queue and resolves once the decision's events are committed. */
  execute<T>(decide: QueueDecision<T>): Promise<Decided<T>> {
    if (this.closed) return Promise.reject(new DomainError('SERVICE_UNAVAILABLE', 'the inference queue is shutting down'));
    return new Promise<Decided<T>>((resolve, reject) => {
      this.pending.push({ decide, resolve: resolve as (d: Decided<unknown>) => void, reject, conflicts: 0 });
      this.kick();
    });
  }

  /** Reads the live queue between flushes (no events). */
  async read<T>(read: (queue: InferenceQueue) => T): Promise<T> {
    return (await this.execute((queue) => read(queue))).value;
  }

  onCommitted(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (this.flushing || this.pending.length === 0) return;
    // setImmediate: decisions requested in the same tick (a whole batch's results) share the flush.
    this.flushing = new Promise<void>((done) => setImmediate(() => void this.flush().finally(done)));
    void this.flushing.then(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_DECISIONS_PER_FLUSH);
    let queue: InferenceQueue;
    try {
      queue = this.queue ?? (this.queue = await this.repository.load(new InferenceQueue(this.options.inferenceQueueId)));
    } catch (err) {
      for (const req of batch) req.reject(err);
      return;
    }
    const payloads = new FlushPayloads();
    const decided: Array<{ req: Request; value: unknown; events: DomainEvent[] }> = [];
    for (const [i, req] of batch.entries()) {
      const before = queue.getUncommittedEvents().length;
      try {
        const value = req.decide(queue, this.context.create(), payloads);
        decided.push({ req, value, events: queue.getUncommittedEvents().slice(before) });
      } catch (err) {
        req.reject(err);
        if (queue.getUncommittedEvents().length !== before) {
          // A decision that fails halfway is a bug; the others must not pay for it with lost events.
          this.pending.unshift(...batch.slice(i + 1));
          return this.abandon(decided, queue, new ConcurrencyConflictError(queue.id, queue.storedVersion));
        }
      }
    }
    let stored: StoredEvent[];
    try {
      stored = await this.save(queue, payloads);
    } catch (err) {
      return this.abandon(decided, queue, err);
    }
    const byId = new Map(stored.map((s) => [s.event.event_id, s]));
    for (const listener of this.listeners) {
      try {
        listener(stored, payloads);
      } catch (err) {
        this.logger.error(`commit listener failed: ${err instanceof Error ? err.stack : err}`);
      }
    }
    for (const d of decided) d.req.resolve({ value: d.value, events: d.events.map((e) => byId.get(e.event_id)!) });
  }

  /**
   * The in-memory queue may now hold events that were never stored: drop it (the next
   * flush reloads). After a conflict the decisions are made again on fresh state.
   */
  private abandon(decided: Array<{ req: Request }>, queue: InferenceQueue, err: unknown): void {
    if (this.queue === queue) this.queue = undefined;
    const conflict = err instanceof ConcurrencyConflictError;
    const again = conflict ? decided.filter((d) => ++d.req.conflicts <= MAX_CONFLICT_RETRIES).map((d) => d.req) : [];
    for (const d of decided) if (!again.includes(d.req)) d.req.reject(err);
    this.pending.unshift(...again);
    if (!conflict) this.logger.error(`flush of ${decided.length} queue decisions failed: ${err instanceof Error ? err.message : err}`);
  }

  private async save(queue: InferenceQueue, payloads: FlushPayloads): Promise<StoredEvent[]> {
    if (queue.getUncommittedEvents().length === 0) return [];
    this.payloads.current = payloads;
    try {
      return await this.repository.save(queue);
    } finally {
      this.payloads.current = undefined;
    }
  }
}
