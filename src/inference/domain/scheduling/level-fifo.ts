/**
 * One queued job as the queue keeps it. Internal to the scheduling folder. Its
 * place in its level's array is its enqueue sequence number: FIFO needs no clock.
 */
export interface QueueEntry<T> {
  readonly item: T;
  readonly key: string;
  readonly rank: number;
  /** As the caller passed it: shown when listing. */
  readonly enqueuedAtMs: number;
  /**
   * Where aging counts from: `enqueuedAtMs`, but never earlier than the entry
   * queued before it at the same level (see priority-queue.ts for why).
   */
  readonly agingFromMs: number;
  removed: boolean;
}

// Below these sizes the bookkeeping costs more than the memory it saves.
const MIN_SHIFT_COMPACTION = 1024;
const MIN_TOMBSTONE_COMPACTION = 64;

/**
 * A FIFO of entries with O(1) amortised push/shift and lazy deletion: a removed
 * entry stays in the array as a tombstone until it reaches the head or until
 * tombstones outnumber live entries, when the array is rebuilt (O(n), paid for
 * by the n/2 removals before it, so removal stays O(1) amortised).
 */
export class LevelFifo<T> {
  private entries: (QueueEntry<T> | undefined)[] = [];
  private head = 0;
  private tombstones = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** The newest live-or-dead entry, for clamping the next entry's aging clock. */
  get tail(): QueueEntry<T> | undefined {
    return this.entries.length > this.head ? this.entries[this.entries.length - 1] : undefined;
  }

  push(entry: QueueEntry<T>): void {
    this.entries.push(entry);
    this.live++;
  }

  /** The oldest live entry, discarding tombstones in front of it. */
  peek(): QueueEntry<T> | undefined {
    const entries = this.entries;
    while (this.head < entries.length) {
      const e = entries[this.head] as QueueEntry<T>;
      if (!e.removed) return e;
      entries[this.head++] = undefined;
      this.tombstones--;
    }
    return undefined;
  }

  shift(): QueueEntry<T> | undefined {
    const e = this.peek();
    if (e === undefined) return undefined;
    this.entries[this.head++] = undefined;
    this.live--;
    if (this.head >= MIN_SHIFT_COMPACTION && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.live === 0) this.reset();
    return e;
  }

  /** Marks an entry of this level as removed; the caller has checked it is live here. */
  markRemoved(entry: QueueEntry<T>): void {
    entry.removed = true;
    this.live--;
    this.tombstones++;
    if (this.live === 0) this.reset();
    else if (this.tombstones >= MIN_TOMBSTONE_COMPACTION && this.tombstones > this.live) this.compact();
  }

  /** Marks many live entries of this level as removed at once, compacting once: O(n). */
  removeMany(entries: readonly QueueEntry<T>[]): void {
    if (entries.length === 0) return;
    for (const e of entries) e.removed = true;
    this.compact();
  }

  /** Live entries, oldest first. The FIFO must not change while this runs. */
  *[Symbol.iterator](): IterableIterator<QueueEntry<T>> {
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i] as QueueEntry<T>;
      if (!e.removed) yield e;
    }
  }

  private compact(): void {
    const kept: QueueEntry<T>[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i] as QueueEntry<T>;
      if (!e.removed) kept.push(e);
    }
    this.entries = kept;
    this.head = 0;
    this.tombstones = 0;
    this.live = kept.length;
  }

  private reset(): void {
    this.entries = [];
    this.head = 0;
    this.tombstones = 0;
  }
}
