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

/** How far aging has lifted a job of base `rank` after `waitedMs` (never below `rank`, never above critical). */
export function effectiveRank(rank: number, waitedMs: number, agingIntervalMs: number): number {
  // Written so that NaN anywhere means "no aging" rather than a NaN rank.
  if (!(agingIntervalMs > 0 && agingIntervalMs < Infinity && waitedMs >= agingIntervalMs)) return rank;
  return Math.min(TOP_RANK, rank + Math.floor(waitedMs / agingIntervalMs));
}

/**
 * The queued jobs of one model: highest priority first, FIFO within a priority,
 * with aging so that a steady stream of urgent work cannot starve a low job.
 *
 * Design: one FIFO per priority level instead of one heap. Aging makes a heap's
 * keys change with time; with one FIFO per level the only candidates are the
 * four heads (inside a level every job has the same base rank and waits no less
 * than the one behind it), so a dequeue is one pass over the heads: effective
 * rank, then the longer wait, then the higher base rank. Enqueue appends, and a
 * cancel unlinks through the ticket enqueue returned: all O(1), and nothing is
 * allocated once the slots have grown to the queue's peak (see QueueSlots).
 *
 * The head argument needs wait times that never decrease along a level, but the
 * caller's clock may step back (NTP) or a job may be re-queued with its old
 * time. So aging counts from `max(enqueuedAtMs, previous job's aging start)`:
 * FIFO follows the sequence of enqueue calls, never the clock, and an
 * out-of-order job only loses some aging credit, never its turn.
 *
 * Time is always passed in; nothing here reads a clock.
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
      const best = this.chooseRank(cursors, nowMs);
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
    const best = this.chooseRank(heads, nowMs);
    return best < 0 ? null : heads[best]!;
  }

  /**
   * Which level's candidate goes next (-1: none), given one node or null per
   * level. Ties on effective rank go to the longer wait, and ties
   * on that to the higher base rank (scanned first, kept by the strict `<`).
   */
  private chooseRank(candidates: readonly (Slot<T> | null)[], nowMs: number): number {
    let best = -1;
    let bestEff = -1;
    let bestFrom = Infinity;
    for (let rank = TOP_RANK; rank >= 0; rank--) {
      const s = candidates[rank]!;
      if (s === null) continue;
      const from = s.agingFromMs;
      const eff = effectiveRank(rank, nowMs - from, this.agingIntervalMs);
      if (eff > bestEff || (eff === bestEff && from < bestFrom)) {
        best = rank;
        bestEff = eff;
        bestFrom = from;
      }
    }
    return best;
  }

  private see(ms: number): void {
    if (ms > this.lastSeenMs) this.lastSeenMs = ms;
  }
}
