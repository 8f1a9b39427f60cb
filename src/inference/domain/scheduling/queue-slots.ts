/** A job's place in a queue, held by the caller: the only way to cancel it, so the queue keeps no index by job id; a stale ticket removes nothing. */
export type QueueTicket = number & { readonly __queueTicket: unique symbol };

/** A ticket is `generation × SLOT_LIMIT + index`: both stay exact in a double (< 2^53). */
const SLOT_LIMIT = 2 ** 24;
const GENERATION_LIMIT = 2 ** 28;

/** One pooled node: holds a queued job, or waits on the free list for the next one. */
export class Slot<T> {
  item: T | undefined = undefined;
  next: Slot<T> | null = null;
  prev: Slot<T> | null = null;
  rank = 0;
  /** What the caller passed, for listing. */
  enqueuedAtMs = 0;
  /** Where aging counts from: never earlier than the slot before it in its level (see JobPriorityQueue). */
  agingFromMs = 0;
  generation = 0;
  queued = false;

  constructor(readonly index: number) {}
}

/**
 * A JobPriorityQueue's storage: pooled nodes threaded into one linked FIFO per level,
 * reused so nothing allocates past the peak; generations make stale tickets miss.
 */
export class QueueSlots<T> {
  /** Per level: first and last node, and how many jobs. */
  readonly heads: (Slot<T> | null)[];
  readonly tails: (Slot<T> | null)[];
  readonly counts: number[];
  private readonly pool: Slot<T>[] = [];
  private free: Slot<T> | null = null;

  constructor(levels: number) {
    this.heads = new Array<Slot<T> | null>(levels).fill(null);
    this.tails = new Array<Slot<T> | null>(levels).fill(null);
    this.counts = new Array<number>(levels).fill(0);
  }

  /** Nodes allocated so far: the queue's peak depth. */
  get pooled(): number {
    return this.pool.length;
  }

  /** Appends a job to the end of its level; returns its node. */
  push(item: T, rank: number, enqueuedAtMs: number): Slot<T> {
    let slot = this.free;
    if (slot !== null) this.free = slot.next;
    else {
      if (this.pool.length >= SLOT_LIMIT) throw new RangeError(`a priority queue holds at most ${SLOT_LIMIT} jobs`);
      slot = new Slot<T>(this.pool.length); // only at a new peak depth
      this.pool.push(slot);
    }
    const tail = this.tails[rank]!;
    slot.item = item;
    slot.rank = rank;
    slot.enqueuedAtMs = enqueuedAtMs;
    slot.agingFromMs = tail !== null && tail.agingFromMs > enqueuedAtMs ? tail.agingFromMs : enqueuedAtMs;
    slot.queued = true;
    slot.prev = tail;
    slot.next = null;
    if (tail === null) this.heads[rank] = slot;
    else tail.next = slot;
    this.tails[rank] = slot;
    this.counts[rank]!++;
    return slot;
  }

  ticketOf(slot: Slot<T>): QueueTicket {
    return (slot.generation * SLOT_LIMIT + slot.index) as QueueTicket;
  }

  /** The queued node a ticket names, or null when the ticket is stale or foreign. */
  slotOf(ticket: QueueTicket | undefined): Slot<T> | null {
    if (typeof ticket !== 'number' || !(ticket >= 0)) return null;
    const index = ticket % SLOT_LIMIT;
    const slot = this.pool[index];
    if (slot === undefined || !slot.queued) return null;
    return slot.generation === (ticket - index) / SLOT_LIMIT ? slot : null;
  }

  /** Unlinks a queued node from its level and frees it; returns its item. */
  take(slot: Slot<T>): T {
    const rank = slot.rank;
    const before = slot.prev;
    const after = slot.next;
    if (before === null) this.heads[rank] = after;
    else before.next = after;
    if (after === null) this.tails[rank] = before;
    else after.prev = before;
    this.counts[rank]!--;
    const item = slot.item as T;
    slot.item = undefined; // do not keep a finished job's inputs alive
    slot.prev = null;
    slot.queued = false;
    slot.generation = (slot.generation + 1) % GENERATION_LIMIT;
    slot.next = this.free;
    this.free = slot;
    return item;
  }
}
