import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Saga, type ICommand, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import type { StoreCursor, StoredEvent } from '../event-store/stored-event.js';
import { observeEvery } from '../nest/safe-saga.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';
import { EventWindow, tailEventOf, type TailBatchEvent, type TailEvent } from './event-window.js';
import { StoreNotifications } from './store-notifications.js';
import { StoreSubscription, type SubscriptionStatus } from './store-subscription.js';

export type { TailBatchEvent, TailEvent } from './event-window.js';

/** A live consumer of the tail: called synchronously with each batch, in store order. */
export interface TailListener {
  (batch: readonly TailBatchEvent[]): void;
}

export interface TailSubscription {
  /** Whether this consumer wants the tail to read right after each local commit (a client watching), or is content with other instances' notifications and the poll. */
  readonly eager: boolean;
}

/** At most this often after local commits: under load one read serves many commits. */
const MIN_READ_GAP_MS = 25;
/** Events per read: a batch is held whole while it is fanned out. */
const BATCH_SIZE = 50;

/**
 * The one reader of the store's head in this process: reads each settled event once, hands it
 * to every live consumer (SSE clients, the remote-events feed) and keeps a bounded window of them.
 */
@Injectable()
export class StoreTail implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('StoreTail');
  private readonly listeners = new Map<TailListener, TailSubscription>();
  private subscription?: StoreSubscription;
  private window?: EventWindow;
  private unlisten?: () => void;
  private lastRead = 0;
  private eager = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly notifications: StoreNotifications,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** Every local commit wakes the tail while a watching client wants it (events reach the bus only after their commit). */
  @Saga()
  wakeOnCommit = (events$: Observable<IEvent>): Observable<ICommand> =>
    observeEvery(events$, () => {
      if (this.eager > 0) this.subscription?.notify();
    }, this.logger);

  async onApplicationBootstrap(): Promise<void> {
    const start = await this.store.headCursor();
    this.window = new EventWindow(start, { maxEvents: this.options.feedWindowEvents, maxBytes: this.options.feedWindowMb * 1024 * 1024 });
    this.subscription = new StoreSubscription({ readSettled: (after, limit) => this.read(after, limit), headCursor: async () => start }, {
      name: 'store-tail',
      from: 'head',
      batchSize: BATCH_SIZE,
      logger: this.logger,
      handler: (events) => this.deliver(events),
    });
    await this.subscription.start();
    // Other instances' commits; ours only while a client watches (the saga covers those first, the poll the rest).
    this.unlisten = this.notifications.subscribe((appendedBy) => {
      if (appendedBy !== this.options.instanceId || this.eager > 0) this.subscription?.notify();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unlisten?.();
    await this.subscription?.stop();
  }

  /** Receives every batch read from now on, until the returned function is called. */
  subscribe(listener: TailListener, how: TailSubscription): () => void {
    this.listeners.set(listener, how);
    if (how.eager) {
      this.eager += 1;
      this.subscription?.notify();
    }
    return () => {
      if (this.listeners.delete(listener) && how.eager) this.eager -= 1;
    };
  }

  /** The events after `cursor` the window still holds, or undefined when it does not reach back that far. */
  since(cursor: StoreCursor): readonly TailEvent[] | undefined {
    return this.window?.since(cursor);
  }

  /** The cursor before the window's last `n` events, or undefined when it holds fewer. */
  before(n: number): StoreCursor | undefined {
    return this.window?.before(n);
  }

  /** Where the window begins: every settled event after it has been read (so a client may join from there). */
  get windowStart(): StoreCursor | undefined {
    return this.window?.start;
  }

  status(): SubscriptionStatus & { listeners: number; window: { events: number; bytes: number } } {
    return {
      ...(this.subscription?.status() ?? { delivered: 0, state: 'stopped', healthy: true }),
      listeners: this.listeners.size,
      window: this.window?.size ?? { events: 0, bytes: 0 },
    };
  }

  private async read(after: StoreCursor, limit: number): Promise<StoredEvent[]> {
    const gap = this.lastRead + MIN_READ_GAP_MS - Date.now();
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    this.lastRead = Date.now();
    return this.store.readSettled(after, limit);
  }

  private deliver(events: readonly StoredEvent[]): void {
    const batch = events.map(tailEventOf);
    this.window!.push(batch);
    for (const listener of [...this.listeners.keys()]) {
      try {
        listener(batch);
      } catch (err) {
        this.logger.error(`a live consumer failed on a batch: ${err instanceof Error ? err.message : err}`);
      }
    }
  }
}
