import type { StoreTail, TailEvent } from '../../cluster/store-tail.js';
import type { PostgresEventStore } from '../../event-store/event-store.js';
import { cursorOf, formatCursor, isAfter, type EventFilter, type StoreCursor, type StoredEvent } from '../../event-store/stored-event.js';
import { sseFrame, type SseChannel } from './sse-channel.js';

/** What a stream client asked for: the store's filters, plus the payload's model id. */
export interface StreamFilter extends EventFilter {
  modelId?: string;
}

/** Events per store read while a client catches up from far back. */
const PAGE = 500;

/** The frames of a whole tail batch, made once for every unfiltered client. */
const wholeBatches = new WeakMap<readonly TailEvent[], string>();

/**
 * One client of the event stream. From its start cursor it catches up from the store in
 * pages, at the pace its socket drains; once its cursor is inside the tail's window it joins
 * the live fan-out, with nothing missed and nothing twice (both follow the one cursor order).
 * Live, it never waits: a client that leaves more than `maxBufferedBytes` unread is dropped
 * and resumes with Last-Event-ID.
 */
export class LiveEventStream {
  private cursor: StoreCursor;

  constructor(
    private readonly tail: StoreTail,
    private readonly store: PostgresEventStore,
    private readonly channel: SseChannel,
    private readonly filter: StreamFilter,
    private readonly maxBufferedBytes: number,
    from: StoreCursor,
  ) {
    this.cursor = from;
  }

  /** Streams until the client goes (or is dropped). */
  async follow(): Promise<void> {
    const unsubscribe = await this.catchUp();
    if (!unsubscribe) return;
    try {
      await this.channel.closed;
    } finally {
      unsubscribe();
    }
  }

  /**
   * Reads the store, then the window, at the client's pace, until what is left of the window
   * fits its buffer; then joins the live fan-out. Undefined if the client left meanwhile.
   */
  private async catchUp(): Promise<(() => void) | undefined> {
    while (this.channel.isOpen) {
      const held = this.tail.since(this.cursor);
      if (held && this.fits(held)) {
        // In the same turn as the window read: no batch can fall between them.
        const unsubscribe = this.tail.subscribe((batch) => this.sendLive(batch), { eager: true });
        this.sendLive(held);
        return unsubscribe;
      }
      if (held) this.sendHeld(held);
      else await this.readPage();
      await this.channel.drained();
    }
    return undefined;
  }

  /** One page from the store. */
  private async readPage(): Promise<void> {
    const { aggregateId, eventType } = this.filter;
    // Taken BEFORE the read: everything up to it settled before the read's snapshot.
    const windowStart = this.tail.windowStart!;
    const page = await this.store.readSettled(this.cursor, PAGE, { aggregateId, eventType });
    for (const stored of page) {
      if (this.matches(stored)) this.channel.write(sseFrame(JSON.stringify(stored.event.toEnvelope()), { id: formatCursor(cursorOf(stored)) }));
      if (this.channel.buffered > this.maxBufferedBytes) await this.channel.drained();
    }
    if (page.length) this.cursor = cursorOf(page[page.length - 1]!);
    // A short page: nothing (matching) is left before the read's horizon, which lies past the window's start.
    if (page.length < PAGE && isAfter(windowStart, this.cursor)) this.cursor = windowStart;
  }

  /** The next part of the window, up to half the client's buffer. */
  private sendHeld(held: readonly TailEvent[]): void {
    let bytes = 0;
    let n = 0;
    while (n < held.length && bytes <= this.maxBufferedBytes / 2) bytes += held[n++]!.json.length;
    this.sendLive(held.slice(0, n));
  }

  private fits(held: readonly TailEvent[]): boolean {
    let bytes = 0;
    for (const e of held) if ((bytes += e.json.length) > this.maxBufferedBytes / 2) return false;
    return true;
  }

  private sendLive(batch: readonly TailEvent[]): void {
    if (!this.channel.isOpen || batch.length === 0) return;
    const last = batch[batch.length - 1]!;
    if (!isAfter(last.cursor, this.cursor)) return;
    const whole = !this.filter.aggregateId && !this.filter.eventType && !this.filter.modelId && isAfter(batch[0]!.cursor, this.cursor);
    const text = whole ? this.wholeBatch(batch) : this.framesAfter(batch);
    this.cursor = last.cursor;
    if (text) this.channel.write(text);
    if (this.channel.buffered > this.maxBufferedBytes) this.channel.abort('overflow');
  }

  private wholeBatch(batch: readonly TailEvent[]): string {
    let text = wholeBatches.get(batch);
    if (text === undefined) {
      text = batch.map((e) => sseFrame(e.json, { id: formatCursor(e.cursor) })).join('');
      wholeBatches.set(batch, text);
    }
    return text;
  }

  private framesAfter(batch: readonly TailEvent[]): string {
    let text = '';
    for (const e of batch) {
      if (isAfter(e.cursor, this.cursor) && this.matches(e.stored)) text += sseFrame(e.json, { id: formatCursor(e.cursor) });
    }
    return text;
  }

  private matches(stored: StoredEvent): boolean {
    const { aggregateId, eventType, modelId } = this.filter;
    const e = stored.event;
    if (aggregateId && e.aggregate_id !== aggregateId) return false;
    if (eventType && e.event_type !== eventType) return false;
    return !modelId || (e.payload as { model_id?: unknown }).model_id === modelId;
  }
}
