import { Logger, type LoggerService } from '@nestjs/common';
import { CatchUpLoop, type CatchUpProgress, type CatchUpState } from '../event-store/catch-up-loop.js';
import type { ReaderCheckpoints } from '../event-store/checkpoint-store.js';
import { cursorOf, START_OF_STORE, type StoreCursor, type StoredEvent } from '../event-store/stored-event.js';

/** The store as a subscription reads it: `PostgresEventStore` fits. */
export interface SubscriptionSource {
  readSettled(after: StoreCursor, limit: number): Promise<StoredEvent[]>;
  headCursor(): Promise<StoreCursor>;
}

export interface StoreSubscriptionOptions {
  name: string;
  /** Called with each batch in store order; the cursor moves (and is saved) only after it resolves. */
  handler: (events: readonly StoredEvent[]) => Promise<void> | void;
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

export interface SubscriptionStatus {
  cursor?: StoreCursor;
  delivered: number;
  state: CatchUpState;
  healthy: boolean;
  lastError?: string;
}

/**
 * A catch-up subscription: hands each batch of settled events after its cursor to the handler,
 * then saves the cursor. Exactly once within a process, at-least-once across crashes when checkpointed.
 */
export class StoreSubscription {
  private readonly log: LoggerService;
  private readonly loop: CatchUpLoop;
  private readonly batchSize: number;
  private cursor?: StoreCursor;
  private delivered = 0;
  private lastError?: string;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: StoreSubscriptionOptions,
  ) {
    this.log = options.logger ?? new Logger(`StoreSubscription:${options.name}`);
    this.batchSize = options.batchSize ?? 500;
    this.loop = new CatchUpLoop(() => this.step(), {
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      initialBackoffMs: 100,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      onFailure: (err) => this.failed(err),
      onSuccess: () => (this.lastError = undefined),
    });
  }

  /** Resolves once the start cursor is known: events settled after that are delivered. */
  async start(): Promise<void> {
    if (this.cursor) return;
    this.cursor = await this.startCursor();
    this.loop.start();
  }

  notify(): void {
    this.loop.notify();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  status(): SubscriptionStatus {
    const { cursor, delivered, lastError } = this;
    return { cursor, delivered, state: this.loop.state, healthy: lastError === undefined, ...(lastError ? { lastError } : {}) };
  }

  private async step(): Promise<CatchUpProgress> {
    const events = await this.source.readSettled(this.cursor!, this.batchSize);
    if (events.length === 0 || !this.loop.running) return 'nothing';
    await this.options.handler(events);
    const next = cursorOf(events[events.length - 1]!);
    await this.options.checkpoints?.advance(this.options.name, next);
    this.cursor = next;
    this.delivered += events.length;
    return events.length === this.batchSize ? 'more' : 'caught-up';
  }

  private failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.lastError === undefined) this.log.warn(`subscription "${this.options.name}" failed (${message}); retrying from its cursor`);
    this.lastError = message;
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
}
