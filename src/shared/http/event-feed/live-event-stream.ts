import type { TailEvent } from '../../cluster/event-window.js';
import type { StoreTail } from '../../cluster/store-tail.js';
import { isAfter, type EventFilter, type StoreCursor } from '../../event-store/stored-event.js';
import type { CatchUpPages } from './catch-up-pages.js';
import type { SseChannel } from '../sse-channel.js';

/** What a stream client asked for: the store's filters, plus the payload's model id. */
export interface StreamFilter extends EventFilter {
  modelId?: string;
}

/** Events per store read while a client catches up: a first page is small, so a client that never reads costs little; pages grow while it keeps up. */
const FIRST_PAGE = 8;
const MAX_PAGE = 500;

/** The frames of a whole tail batch, made once for every unfiltered client. */
const wholeBatches = new WeakMap<readonly TailEvent[], Buffer>();


/**
 * One stream client: catches up from the store, then the window, at its socket's pace, and joins
 * the live fan-out in the turn it reads the window (nothing missed or twice). Unread bytes stay
 * under `maxBufferedBytes` plus one event: catching up it waits; live it is dropped and resumes.
 */
export class LiveEventStream {
  private cursor: StoreCursor;
  private page = FIRST_PAGE;

  constructor(
    private readonly tail: StoreTail,
    private readonly pages: CatchUpPages,
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

  /** Catches up until what is left of the window fits the client's buffer, then joins; undefined if the client left meanwhile. */
  private async catchUp(): Promise<(() => void) | undefined> {
    while (this.channel.isOpen) {
      const held = this.tail.since(this.cursor);
      if (held && this.fits(held)) {
        // In the same turn as the window read: no batch can fall between them.
        const unsubscribe = this.tail.subscribe((batch) => this.sendLive(batch), { eager: true });
        this.sendLive(held);
        return unsubscribe;
      }
      if (held) this.sendWithinBudget(held);
      else await this.readPage();
      await this.channel.drained();
    }
    return undefined;
  }

  /** One page from the store, sent as far as the client's buffer allows; the rest is read again later. */
  private async readPage(): Promise<void> {
    const { aggregateId, eventType } = this.filter;
    // Taken BEFORE the read: everything up to it settled before the read's snapshot.
    const windowStart = this.tail.windowStart!;
    const size = this.page;
    const events = await this.pages.read(this.cursor, size, { aggregateId, eventType });
    if (!this.sendWithinBudget(events)) {
      this.page = FIRST_PAGE;
      return;
    }
    // Larger pages while the client keeps up, but no page much above its buffer: each is held whole while it is sent.
    if (events.reduce((n, e) => n + e.frame.length, 0) < this.maxBufferedBytes) this.page = Math.min(MAX_PAGE, size * 2);
    // A short page: nothing (matching) is left before the read's horizon, which lies past the window's start.
    if (events.length < size && isAfter(windowStart, this.cursor)) this.cursor = windowStart;
  }

  /** Sends events in order until the buffer is full; true when all of them went. */
  private sendWithinBudget(events: readonly TailEvent[]): boolean {
    for (const e of events) {
      if (this.channel.buffered > this.maxBufferedBytes) return false;
      if (this.matches(e)) this.channel.write(e.frame);
      this.cursor = e.cursor;
    }
    return true;
  }

  private fits(held: readonly TailEvent[]): boolean {
    let bytes = 0;
    for (const e of held) if ((bytes += e.frame.length) > this.maxBufferedBytes / 2) return false;
    return true;
  }

  /** Live: never waits. A batch that does not fit what is left of the buffer goes frame by frame, and the client is dropped once it is full. */
  private sendLive(batch: readonly TailEvent[]): void {
    if (!this.channel.isOpen || batch.length === 0 || !isAfter(batch[batch.length - 1]!.cursor, this.cursor)) return;
    const unfiltered = !this.filter.aggregateId && !this.filter.eventType && !this.filter.modelId;
    if (unfiltered && isAfter(batch[0]!.cursor, this.cursor)) {
      const frames = this.wholeBatch(batch);
      if (this.channel.buffered + frames.length <= this.maxBufferedBytes) {
        this.channel.write(frames);
        this.cursor = batch[batch.length - 1]!.cursor;
        return;
      }
    }
    const after = batch.filter((e) => isAfter(e.cursor, this.cursor));
    if (!this.sendWithinBudget(after) || this.channel.buffered > this.maxBufferedBytes) this.channel.abort('overflow');
  }

  private wholeBatch(batch: readonly TailEvent[]): Buffer {
    let bytes = wholeBatches.get(batch);
    if (bytes === undefined) wholeBatches.set(batch, (bytes = Buffer.concat(batch.map((e) => e.frame))));
    return bytes;
  }

  private matches(e: TailEvent): boolean {
    const { aggregateId, eventType, modelId } = this.filter;
    return (!aggregateId || e.aggregateId === aggregateId) && (!eventType || e.eventType === eventType) && (!modelId || e.modelId === modelId);
  }
}
