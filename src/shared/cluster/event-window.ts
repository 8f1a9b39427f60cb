import { cursorOf, formatCursor, isAfter, type StoreCursor, type StoredEvent } from '../event-store/stored-event.js';

/** An event as the window keeps it: its cursor, what clients filter on, and its SSE frame, made once for all of them. */
export interface TailEvent {
  readonly cursor: StoreCursor;
  readonly eventType: string;
  readonly aggregateId: string;
  /** The payload's `model_id`, when it has one. */
  readonly modelId?: string;
  /**
   * `id: <cursor>`, `data: <seed envelope>`, encoded once: every client writes these same bytes,
   * which the socket sends from where they are (a string would be copied per client). Its
   * length is the event's share of the window.
   */
  readonly frame: Buffer;
}

/** An event of a batch just read: the window's record plus the event itself, for consumers that act on it. */
export interface TailBatchEvent extends TailEvent {
  readonly stored: StoredEvent;
}

export function tailEventOf(stored: StoredEvent): TailBatchEvent {
  const { event } = stored;
  const modelId = (event.payload as { model_id?: unknown }).model_id;
  return {
    stored, cursor: cursorOf(stored), eventType: event.event_type, aggregateId: event.aggregate_id,
    ...(typeof modelId === 'string' ? { modelId } : {}), frame: Buffer.from(`id: ${formatCursor(cursorOf(stored))}\ndata: ${JSON.stringify(event.toEnvelope())}\n\n`),
  };
}

/** The record without the event: what the window keeps, so it holds strings, not payload objects. */
function slim({ stored: _stored, ...kept }: TailBatchEvent): TailEvent {
  return kept;
}

export interface WindowLimits {
  maxEvents: number;
  maxBytes: number;
}

/**
 * The most recent events the tail read, bounded by count and by bytes: a client that
 * resumes near the head is served from here. `start` is the cursor just before the oldest
 * event held; every settled event after it is in the window.
 */
export class EventWindow {
  private events: (TailEvent | undefined)[] = [];
  private first = 0;
  private bytes = 0;

  constructor(private startCursor: StoreCursor, private readonly limits: WindowLimits) {}

  get start(): StoreCursor {
    return this.startCursor;
  }

  get size(): { events: number; bytes: number } {
    return { events: this.events.length - this.first, bytes: this.bytes };
  }

  /** Appends a batch in store order, then drops the oldest events past the limits. */
  push(batch: readonly TailBatchEvent[]): void {
    for (const e of batch.map(slim)) {
      this.events.push(e);
      this.bytes += e.frame.length;
    }
    while (this.events.length - this.first > 0 && (this.events.length - this.first > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      const dropped = this.events[this.first]!;
      this.events[this.first++] = undefined; // the slot must not keep the event alive until the next compaction
      this.bytes -= dropped.frame.length;
      this.startCursor = dropped.cursor;
    }
    // Compact now and then instead of shifting the array on every drop.
    if (this.first > 1024 && this.first * 2 > this.events.length) {
      this.events = this.events.slice(this.first);
      this.first = 0;
    }
  }

  /** The events after `cursor`, or undefined when the window no longer reaches back to it. */
  since(cursor: StoreCursor): readonly TailEvent[] | undefined {
    if (isAfter(this.startCursor, cursor)) return undefined;
    let lo = this.first;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isAfter(this.events[mid]!.cursor, cursor)) hi = mid;
      else lo = mid + 1;
    }
    return this.events.slice(lo) as TailEvent[]; // slots from `first` on are all set
  }

  /** The cursor before the last `n` events, or undefined when the window holds fewer than n + 1 reference points. */
  before(n: number): StoreCursor | undefined {
    const held = this.events.length - this.first;
    if (n > held) return undefined;
    return n === held ? this.startCursor : this.events[this.events.length - n - 1]!.cursor;
  }
}
