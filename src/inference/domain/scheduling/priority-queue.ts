import { effectiveRank, nextLevel } from './aging.js';
import { MAX_PRIORITY_RANK, PRIORITIES, type Priority } from './priority.js';
import { QueueSlots, type QueueTicket, type Slot } from './queue-slots.js';

export type { QueueTicket } from './queue-slots.js';

export interface JobPriorityQueueOptions {
  /**
   * Waiting this long raises a job one priority level (capped at critical). 0 or Infinity: no aging.
   * No default here: the server's is `agingIntervalMs` in the options.
   */
  agingIntervalMs: number;
}

/** A queued job as listed: what the caller enqueued, plus where aging has taken it. */
export interface QueuedJob<T> {
  item: T;
  ticket: QueueTicket;
  priority: Priority;
  effectivePriority: Priority;
  enqueuedAtMs: number;
}

// Module-local copies for the hot path: some loaders (tsx) turn imported bindings into getter calls.
const TOP_RANK = MAX_PRIORITY_RANK;

/** PRIORITY_RANK as comparisons of interned strings: cheaper than two keyed lookups per enqueue. */
function rankOf(priority: Priority): number {
  switch (priority) {
    case 'normal':
      return 1;
    case 'high':
      return 2;
    case 'critical':
      return 3;
    case 'low':
      return 0;
    default:
      throw new RangeError(`unknown priority ${String(priority)}`);
  }
}

/**
 * One model's queued jobs: by priority, FIFO within one, aged so urgent work cannot
 * starve a low job; one FIFO a level, O(1) everywhere (docs/architecture.md).
 */
export class JobPriorityQueue<T> implements Iterable<T> {
  private readonly slots = new QueueSlots<T>(PRIORITIES.length);
  private readonly agingIntervalMs: number;
  private total = 0;
  /** Latest time seen, so that plain `for…of` can list in dequeue order. */
  private lastSeenMs = -Infinity;

  constructor(options: JobPriorityQueueOptions) {
    const interval = options.agingIntervalMs;
    if (Number.isNaN(interval) || interval < 0) throw new RangeError(`agingIntervalMs must be ≥ 0 or Infinity, got ${interval}`);
    this.agingIntervalMs = interval === 0 ? Infinity : interval;
  }

  get size(): number {
    return this.total;
  }

  /** Queue nodes allocated so far (the peak depth): it grows only when the queue is deeper than ever. */
  get capacity(): number {
    return this.slots.pooled;
  }

  /** Whether the job this ticket was given for is still queued here. */
  isQueued(ticket: QueueTicket | undefined): boolean {
    return this.slots.slotOf(ticket) !== null;
  }

  /** Queues a job; keep the ticket to cancel it. Enqueueing one job twice queues it twice: check `isQueued` first. */
  enqueue(item: T, priority: Priority, enqueuedAtMs: number): QueueTicket {
    const rank = rankOf(priority);
    if (!Number.isFinite(enqueuedAtMs)) throw new RangeError(`enqueuedAtMs must be a finite number, got ${enqueuedAtMs}`);
    const slot = this.slots.push(item, rank, enqueuedAtMs);
    this.total++;
    this.see(enqueuedAtMs);
    return this.slots.ticketOf(slot);
  }

  dequeue(nowMs: number): T | undefined {
    const slot = this.bestHead(nowMs);
    if (slot === null) return undefined;
    this.total--;
    return this.slots.take(slot);
  }

  /** Up to `max` jobs in dequeue order, all decided at `nowMs`: one batch for a worker. */
  dequeueBatch(nowMs: number, max: number): T[] {
    const batch: T[] = [];
    while (batch.length < max) {
      const slot = this.bestHead(nowMs);
      if (slot === null) break;
      this.total--;
      batch.push(this.slots.take(slot));
    }
    return batch;
  }

  peek(nowMs: number): T | undefined {
    const slot = this.bestHead(nowMs);
    return slot === null ? undefined : (slot.item as T);
  }

  /** Cancels a queued job. False when its ticket is stale (dequeued, removed, drained) or not from this queue. */
  remove(ticket: QueueTicket | undefined): boolean {
    const slot = this.slots.slotOf(ticket);
    if (slot === null) return false;
    this.total--;
    this.slots.take(slot);
    return true;
  }

  /** Counts by the priority each job was submitted with (aging does not move jobs between counts). */
  sizeByPriority(): Record<Priority, number> {
    const c = this.slots.counts;
    return { low: c[0]!, normal: c[1]!, high: c[2]!, critical: c[3]! };
  }

  /**
   * Removes and returns every job matching, e.g. all jobs of a model being
   * unregistered. Order: submitted priority, highest first, then FIFO. O(n).
   */
  drain(predicate: (item: T, priority: Priority) => boolean): T[] {
    // Choose first, remove after: a predicate that throws leaves the queue untouched.
    const chosen: Slot<T>[] = [];
    for (let rank = TOP_RANK; rank >= 0; rank--) {
      const priority = PRIORITIES[rank] as Priority;
      for (let s: Slot<T> | null = this.slots.heads[rank]!; s !== null; s = s.next) if (predicate(s.item as T, priority)) chosen.push(s);
    }
    this.total -= chosen.length;
    return chosen.map((s) => this.slots.take(s));
  }

  /**
   * Every queued job in the order `dequeue(nowMs)` would return them if called
   * repeatedly at `nowMs`: a 4-way merge of already ordered levels, O(n).
   * Do not change the queue while iterating.
   */
  *entries(nowMs: number): IterableIterator<QueuedJob<T>> {
    const cursors = [...this.slots.heads];
    for (;;) {
      const best = nextLevel(cursors, nowMs, this.agingIntervalMs);
      if (best < 0) return;
      const s = cursors[best]!;
      cursors[best] = s.next;
      yield {
        item: s.item as T,
        ticket: this.slots.ticketOf(s),
        priority: PRIORITIES[s.rank] as Priority,
        effectivePriority: PRIORITIES[effectiveRank(s.rank, nowMs - s.agingFromMs, this.agingIntervalMs)] as Priority,
        enqueuedAtMs: s.enqueuedAtMs,
      };
    }
  }

  *values(nowMs: number): IterableIterator<T> {
    for (const e of this.entries(nowMs)) yield e.item;
  }

  /** Dequeue order as of the latest time this queue has been given (enqueue or dequeue). */
  [Symbol.iterator](): IterableIterator<T> {
    return this.values(this.lastSeenMs);
  }

  /** Since when the longest-waiting job has waited (its aging start); undefined when empty. */
  oldestEnqueuedAtMs(): number | undefined {
    let oldest: number | undefined;
    const heads = this.slots.heads;
    for (let rank = 0; rank <= TOP_RANK; rank++) {
      const s = heads[rank]!;
      if (s !== null && (oldest === undefined || s.agingFromMs < oldest)) oldest = s.agingFromMs;
    }
    return oldest;
  }

  private bestHead(nowMs: number): Slot<T> | null {
    this.see(nowMs);
    if (this.total === 0) return null;
    const heads = this.slots.heads;
    const best = nextLevel(heads, nowMs, this.agingIntervalMs);
    return best < 0 ? null : heads[best]!;
  }

  private see(ms: number): void {
    if (ms > this.lastSeenMs) this.lastSeenMs = ms;
  }
}
