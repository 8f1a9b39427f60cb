import { Logger, type LoggerService } from '@nestjs/common';
import type { ReaderCheckpoints } from '../event-store/checkpoint-store.js';
import { cursorOf, START_OF_STORE, type StoreCursor, type StoredEvent } from '../event-store/stored-event.js';
import { SettleChase } from '../event-store/settle-chase.js';
import { Signal } from '../kafka/signal.js';

/** The store as a subscription reads it: `PostgresEventStore` fits. */
export interface SubscriptionSource {
  readSettled(after: StoreCursor, limit: number): Promise<StoredEvent[]>;
  headCursor(): Promise<StoreCursor>;
}

export interface StoreSubscriptionOptions {
  name: string;
  /** Called with each batch in store order; the cursor moves (and is saved) only after it resolves. */
  handler: (events: readonly StoredEvent[]) => Promise<void>;
  /** Saves the cursor under `name`; without it the cursor lives in memory and `from` applies at every start. */
  checkpoints?: ReaderCheckpoints;
  /** Where to begin when no checkpoint is stored: the first event, or what settles from now on. */
  from?: 'beginning' | 'head';
  batchSize?: number;
  /** Safety net for missed wake-ups and for events that settle without a notification. */
  pollIntervalMs?: number;
  maxBackoffMs?: number;
  logger?: LoggerService;
}

/**
 * A catch-up subscription on the store: reads settled events after its cursor in
 * (transaction id, position) order, hands each batch to the handler, then saves the cursor.
 * At-least-once across crashes when checkpointed (the last batch may come again), exactly
 * once within a process. Woken by `notify()` (LISTEN/NOTIFY, in-process commits) or the poll.
 */
export class StoreSubscription {
  private readonly log: LoggerService;
  private readonly wake = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private cursor?: StoreCursor;
  private delivered = 0;
  private lastError?: string;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: StoreSubscriptionOptions,
  ) {
    this.log = options.logger ?? new Logger(`StoreSubscription:${options.name}`);
  }

  /** Resolves once the start cursor is known: events settled after that are delivered. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.cursor = await this.startCursor();
    this.loop = this.run();
  }

  notify(): void {
    this.wake.fire();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.fire();
    await this.loop;
  }

  status(): { cursor?: StoreCursor; delivered: number; healthy: boolean; lastError?: string } {
    return { cursor: this.cursor, delivered: this.delivered, healthy: this.lastError === undefined, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  private async startCursor(): Promise<StoreCursor> {
    const { checkpoints, name, from } = this.options;
    if (checkpoints) {
      const stored = await checkpoints.get(name);
      if (stored.transactionId !== START_OF_STORE.transactionId || stored.position !== 0) return stored;
    }
    const cursor = from === 'head' ? await this.source.headCursor() : START_OF_STORE;
    if (checkpoints && from === 'head') await checkpoints.advance(name, cursor);
    return cursor;
  }

  private async run(): Promise<void> {
    const poll = this.options.pollIntervalMs ?? 1_000;
    const batchSize = this.options.batchSize ?? 500;
    let backoff = 100;
    const chase = new SettleChase();
    let woken = false;
    while (!this.stopping) {
      try {
        const events = await this.source.readSettled(this.cursor!, batchSize);
        if (events.length > 0 && !this.stopping) {
          await this.options.handler(events);
          const next = cursorOf(events[events.length - 1]!);
          await this.options.checkpoints?.advance(this.options.name, next);
          this.cursor = next;
          this.delivered += events.length;
        }
        this.lastError = undefined;
        backoff = 100;
        if (events.length < batchSize) woken = await this.wake.wait(chase.next(events.length > 0, woken, poll));
      } catch (err) {
        if (this.stopping) break;
        const message = err instanceof Error ? err.message : String(err);
        if (this.lastError === undefined) this.log.warn(`subscription "${this.options.name}" failed (${message}); retrying from its cursor`);
        this.lastError = message;
        await this.wake.wait(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5_000);
      }
    }
  }
}
