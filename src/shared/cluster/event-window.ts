import { isAfter, type StoreCursor, type StoredEvent } from '../event-store/stored-event.js';

/** An event as the tail hands it out: its cursor, and its envelope serialised once for every client. */
export interface TailEvent {
  readonly stored: StoredEvent;
  readonly cursor: StoreCursor;
  /** The seed envelope as JSON (what SSE frames carry); its length is the event's share of the window. */
  readonly json: string;
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
  private events: TailEvent[] = [];
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
  push(batch: readonly TailEvent[]): void {
    for (const e of batch) {
      this.events.push(e);
      this.bytes += e.json.length;
    }
    while (this.events.length - this.first > 0 && (this.events.length - this.first > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      const dropped = this.events[this.first++]!;
      this.bytes -= dropped.json.length;
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
    return this.events.slice(lo);
  }

  /** The cursor before the last `n` events, or undefined when the window holds fewer than n + 1 reference points. */
  before(n: number): StoreCursor | undefined {
    const held = this.events.length - this.first;
    if (n > held) return undefined;
    return n === held ? this.startCursor : this.events[this.events.length - n - 1]!.cursor;
  }
}
