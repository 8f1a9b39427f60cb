import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { PostgresEventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { DEDICATED_CONNECTIONS, INSTANCE_ID } from './cluster.tokens.js';
import type { DedicatedConnectionFactory } from './dedicated-connection.js';
import { INSTANCE_STREAM_KINDS } from './instance-id.js';
import { StoreNotifications } from './store-notifications.js';
import { StoreSubscription } from './store-subscription.js';

/** True when another instance appended the event (the store stamps `metadata.instance_id`). */
function appendedElsewhere(stored: StoredEvent, instanceId: string): boolean {
  return stored.metadata.instance_id !== instanceId;
}

/**
 * Another machine's own streams (its lifecycle manager, its queue) are its business: a
 * handler here must not reload, fail or count what happened there. Shared streams (the
 * catalog) are everyone's.
 */
function concernsEveryInstance(stored: StoredEvent): boolean {
  return !(INSTANCE_STREAM_KINDS as readonly string[]).includes(stored.event.aggregate_type);
}

/**
 * Every instance sees every instance's events: from the store's head at start-up (no
 * history replay), each event appended by ANOTHER instance to a shared stream is
 * published on this process's EventBus, in store order, once. Our own events are not: EventBusPublisher published them
 * right after their commit. On embedded PGlite there is no other instance, so it stays idle.
 */
@Injectable()
export class RemoteEventsFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RemoteEventsFeed');
  private subscription?: StoreSubscription;
  private unsubscribe?: () => void;
  private count = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly eventBus: EventBus,
    private readonly notifications: StoreNotifications,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
    @Inject(DEDICATED_CONNECTIONS) private readonly connect: DedicatedConnectionFactory | null,
  ) {}

  /** Events of other instances published here so far. */
  get published(): number {
    return this.count;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.connect) return;
    this.subscription = new StoreSubscription(this.store, {
      name: `remote-events:${this.instanceId}`,
      from: 'head',
      logger: this.logger,
      handler: async (events) => {
        const remote = events.filter((e) => appendedElsewhere(e, this.instanceId) && concernsEveryInstance(e)).map((e) => e.event);
        if (remote.length === 0) return;
        this.count += remote.length;
        this.eventBus.publishAll(remote);
      },
    });
    await this.subscription.start();
    // Our own commits hold nothing for this feed: waking on them would read the store once per
    // group commit only to skip what it reads. The poll still moves the cursor past them. (A
    // remote event held back by one of our open transactions may now wait for that poll.)
    this.unsubscribe = this.notifications.subscribe((appendedBy) => {
      if (appendedBy !== this.instanceId) this.subscription?.notify();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.subscription?.stop();
  }
}
