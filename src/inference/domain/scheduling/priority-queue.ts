import { LevelFifo, type QueueEntry } from './level-fifo.js';
import { MAX_PRIORITY_RANK, PRIORITIES, PRIORITY_RANK, type Priority } from './priority.js';

export interface JobPriorityQueueOptions {
  /** Waiting this long raises a job one priority level (capped at critical). 0 or Infinity: no aging. */
  agingIntervalMs?: number;
}

/** A queued job as listed: what the caller enqueued, plus where aging has taken it. */
export interface QueuedJob<T> {
  item: T;
  key: string;
  priority: Priority;
  effectivePriority: Priority;
  enqueuedAtMs: number;
}

/** Low waits at most ~1.5 min before it competes as critical. */
export const DEFAULT_AGING_INTERVAL_MS = 30_000;

/** How far aging has lifted a job of base `rank` after `waitedMs` (never below `rank`, never above critical). */
export function effectiveRank(rank: number, waitedMs: number, agingIntervalMs: number): number {
  // Written so that NaN anywhere means "no aging" rather than a NaN rank.
  if (!(agingIntervalMs > 0 && agingIntervalMs < Infinity && waitedMs >= agingIntervalMs)) return rank;
  return Math.min(MAX_PRIORITY_RANK, rank + Math.floor(waitedMs / agingIntervalMs));
}

/**
 * The queued jobs of one model: highest priority first, FIFO within a priority,
 * with aging so that a steady stream of urgent work cannot starve a low job.
 *
 * Design: one FIFO per priority level instead of one heap. Aging makes a heap's
 * keys change with time, so a heap would need re-keying (or a key folded into
 * "enqueue time minus rank × interval", which breaks at the critical cap). With
 * one FIFO per level the only candidates are the four heads: inside a level
 * every entry has the same base rank and waits no longer than the one before
 * it, so the head has the highest effective rank and is the oldest. Dequeue
 * compares the four heads (effective rank, then the older, then the higher
 * base rank): O(1). Enqueue is an append: O(1). Cancellation is O(1) amortised
 * through a key→entry map and tombstones (see LevelFifo).
 *
 * The head argument needs wait times that never decrease along a level, but the
 * caller's clock may step back (NTP) or a job may be re-queued with its old
 * time. So aging counts from `max(enqueuedAtMs, previous entry's aging start)`:
 * FIFO follows the sequence of enqueue calls, never the clock, and an
 * out-of-order job only loses some aging credit, never its turn.
 *
 * Time is always passed in; nothing here reads a clock.
 */
export class JobPriorityQueue<T> implements Iterable<T> {
  private readonly levels: LevelFifo<T>[] = PRIORITIES.map(() => new LevelFifo<T>());
  private readonly byKey = new Map<string, QueueEntry<T>>();
  /** Reused by every dequeue so the hot path allocates nothing. */
  private readonly scratchHeads: (QueueEntry<T> | undefined)[] = PRIORITIES.map(() => undefined);
  private readonly agingIntervalMs: number;
  /** Latest time seen, so that plain `for…of` can list in dequeue order. */
  private lastSeenMs = -Infinity;

  constructor(options: JobPriorityQueueOptions = {}) {
    const interval = options.agingIntervalMs ?? DEFAULT_AGING_INTERVAL_MS;
    if (Number.isNaN(interval) || interval < 0) throw new RangeError(`agingIntervalMs must be ≥ 0 or Infinity, got ${interval}`);
    this.agingIntervalMs = interval === 0 ? Infinity : interval;
  }

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** @throws Error when `key` is already queued: a job is queued at most once. */
  enqueue(item: T, priority: Priority, enqueuedAtMs: number, key: string): void {
    const rank = PRIORITY_RANK[priority];
    if (rank === undefined) throw new RangeError(`unknown priority ${String(priority)}`);
    if (!Number.isFinite(enqueuedAtMs)) throw new RangeError(`enqueuedAtMs must be a finite number, got ${enqueuedAtMs}`);
    const level = this.levels[rank] as LevelFifo<T>;
    const tail = level.tail;
    const agingFromMs = tail !== undefined && tail.agingFromMs > enqueuedAtMs ? tail.agingFromMs : enqueuedAtMs;
    const entry: QueueEntry<T> = { item, key, rank, enqueuedAtMs, agingFromMs, removed: false };
    // One hash probe instead of has() + set(): the map is most of enqueue's cost.
    // A duplicate (a caller bug) shows as an unchanged size and is undone below.
    const sizeBefore = this.byKey.size;
    this.byKey.set(key, entry);
    if (this.byKey.size === sizeBefore) {
      this.restoreIndex(key);
      throw new Error(`job ${key} is already queued`);
    }
    level.push(entry);
    this.see(enqueuedAtMs);
  }

  dequeue(nowMs: number): T | undefined {
    const level = this.bestLevel(nowMs);
    if (level === undefined) return undefined;
    const entry = level.shift() as QueueEntry<T>;
    this.byKey.delete(entry.key);
    return entry.item;
  }

  /** Up to `max` jobs in dequeue order, all decided at `nowMs`: one batch for a worker. */
  dequeueBatch(nowMs: number, max: number): T[] {
    const batch: T[] = [];
    while (batch.length < max) {
      const item = this.dequeue(nowMs);
      if (item === undefined) break;
      batch.push(item);
    }
    return batch;
  }

  peek(nowMs: number): T | undefined {
    return this.bestLevel(nowMs)?.peek()?.item;
  }

  /** Cancels a queued job. False when it is not queued (already dequeued, never queued). */
  remove(key: string): boolean {
    const entry = this.byKey.get(key);
    if (entry === undefined) return false;
    this.byKey.delete(key);
    (this.levels[entry.rank] as LevelFifo<T>).markRemoved(entry);
    return true;
  }

  /** Counts by the priority each job was submitted with (aging does not move jobs between counts). */
  sizeByPriority(): Record<Priority, number> {
    const l = this.levels as [LevelFifo<T>, LevelFifo<T>, LevelFifo<T>, LevelFifo<T>];
    return { low: l[0].size, normal: l[1].size, high: l[2].size, critical: l[3].size };
  }

  /**
   * Removes and returns every job matching, e.g. all jobs of a model being
   * unregistered. Order: submitted priority, highest first, then FIFO. O(n).
   */
  drain(predicate: (item: T, key: string, priority: Priority) => boolean): T[] {
    // Choose first, remove after: a predicate that throws leaves the queue untouched.
    const chosen = this.levels.map((level, rank) => {
      const priority = PRIORITIES[rank] as Priority;
      const picked: QueueEntry<T>[] = [];
      for (const e of level) if (predicate(e.item, e.key, priority)) picked.push(e);
      return picked;
    });
    const drained: T[] = [];
    for (let rank = MAX_PRIORITY_RANK; rank >= 0; rank--) {
      const picked = chosen[rank] as QueueEntry<T>[];
      (this.levels[rank] as LevelFifo<T>).removeMany(picked);
      for (const e of picked) {
        this.byKey.delete(e.key);
        drained.push(e.item);
      }
    }
    return drained;
  }

  /**
   * Every queued job in the order `dequeue(nowMs)` would return them if called
   * repeatedly at `nowMs`: a 4-way merge of already ordered levels, O(n).
   * Do not change the queue while iterating.
   */
  *entries(nowMs: number): IterableIterator<QueuedJob<T>> {
    const iterators = this.levels.map((level) => level[Symbol.iterator]());
    const heads = iterators.map((it) => it.next().value as QueueEntry<T> | undefined);
    for (;;) {
      const best = this.chooseRank(heads, nowMs);
      if (best < 0) return;
      const e = heads[best] as QueueEntry<T>;
      heads[best] = (iterators[best] as IterableIterator<QueueEntry<T>>).next().value as QueueEntry<T> | undefined;
      yield {
        item: e.item,
        key: e.key,
        priority: PRIORITIES[e.rank] as Priority,
        effectivePriority: PRIORITIES[effectiveRank(e.rank, nowMs - e.agingFromMs, this.agingIntervalMs)] as Priority,
        enqueuedAtMs: e.enqueuedAtMs,
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
    for (const level of this.levels) {
      const head = level.peek();
      if (head !== undefined && (oldest === undefined || head.agingFromMs < oldest)) oldest = head.agingFromMs;
    }
    return oldest;
  }

  private bestLevel(nowMs: number): LevelFifo<T> | undefined {
    this.see(nowMs);
    const heads = this.scratchHeads;
    for (let rank = 0; rank <= MAX_PRIORITY_RANK; rank++) heads[rank] = (this.levels[rank] as LevelFifo<T>).peek();
    const best = this.chooseRank(heads, nowMs);
    heads.fill(undefined); // do not keep a dequeued job's inputs alive
    return best < 0 ? undefined : this.levels[best];
  }

  /**
   * Which of the level heads goes next (-1: none). Ties on effective rank go to
   * the longer wait, and ties on that to the higher base rank (scanned first,
   * kept by the strict `<`).
   */
  private chooseRank(heads: readonly (QueueEntry<T> | undefined)[], nowMs: number): number {
    let best = -1;
    let bestEff = -1;
    let bestFrom = Infinity;
    for (let rank = MAX_PRIORITY_RANK; rank >= 0; rank--) {
      const head = heads[rank];
      if (head === undefined) continue;
      const eff = effectiveRank(rank, nowMs - head.agingFromMs, this.agingIntervalMs);
      if (eff > bestEff || (eff === bestEff && head.agingFromMs < bestFrom)) {
        best = rank;
        bestEff = eff;
        bestFrom = head.agingFromMs;
      }
    }
    return best;
  }

  /** Error path only, O(n): points `key` back at its queued entry after a refused duplicate overwrote it. */
  private restoreIndex(key: string): void {
    for (const level of this.levels) {
      for (const e of level) {
        if (e.key === key) {
          this.byKey.set(key, e);
          return;
        }
      }
    }
  }

  private see(ms: number): void {
    if (ms > this.lastSeenMs) this.lastSeenMs = ms;
  }
}
