import { tailEventOf, type TailEvent } from '../../cluster/event-window.js';
import type { PostgresEventStore } from '../../event-store/event-store.js';
import { formatCursor, type EventFilter, type StoreCursor } from '../../event-store/stored-event.js';
import { Semaphore } from './semaphore.js';

/** Clients reading the store at once: each read holds a page in memory, however many clients resume together. */
const CONCURRENT_READS = 4;
/** Pages kept for the next client that asks for the same one: clients resuming together read the store once. */
const KEPT_PAGES = 16;

/**
 * The pages stream clients read from the store while they catch up, made into frames once:
 * clients that resume from the same point (dashboards reconnecting after a restart) share them.
 */
export class CatchUpPages {
  private readonly reads = new Semaphore(CONCURRENT_READS);
  private readonly kept = new Map<string, Promise<readonly TailEvent[]>>();

  constructor(private readonly store: PostgresEventStore) {}

  /**
   * A page read after the call began. Only a full page is shared: its events can never change
   * (nothing settles before a settled event), while a short one ends at the horizon of its read.
   */
  async read(after: StoreCursor, size: number, filter: EventFilter): Promise<readonly TailEvent[]> {
    const key = `${formatCursor(after)}|${size}|${filter.aggregateId ?? ''}|${filter.eventType ?? ''}`;
    const shared = this.kept.get(key);
    if (shared) {
      const page = await shared.catch(() => undefined);
      if (page?.length === size) return page;
    }
    const fresh = this.reads.run(async () => (await this.store.readSettled(after, size, filter)).map(tailEventOf));
    this.kept.set(key, fresh);
    if (this.kept.size > KEPT_PAGES) this.kept.delete(this.kept.keys().next().value!);
    try {
      const page = await fresh;
      if (page.length < size && this.kept.get(key) === fresh) this.kept.delete(key);
      return page;
    } catch (err) {
      if (this.kept.get(key) === fresh) this.kept.delete(key);
      throw err;
    }
  }
}
