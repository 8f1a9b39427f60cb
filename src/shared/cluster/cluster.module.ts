import { Global, Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import type { OpenedDatabase } from '../database/data-source.js';
import { Database } from '../database/database.js';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { MODELMORA_OPTIONS, OPENED_DATABASE } from '../nest/tokens.js';
import { DEDICATED_CONNECTIONS, INSTANCE_ID } from './cluster.tokens.js';
import { dedicatedConnections, type DedicatedConnectionFactory } from './dedicated-connection.js';
import { InstanceLease } from './instance-lease.js';
import { RemoteEventsFeed } from './remote-events.feed.js';
import { StoreNotifications } from './store-notifications.js';
import { StoreTail } from './store-tail.js';
import { EventFeedHealth } from './event-feed.health.js';

/** Opens the LISTEN session once every provider exists; lets it and the lease go when the app stops (before the pool closes). */
@Injectable()
class ClusterLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(InstanceLease) private readonly lease: InstanceLease,
    @Inject(StoreNotifications) private readonly notifications: StoreNotifications,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notifications.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.notifications.stop();
    await this.lease.release();
  }
}

/**
 * The cluster kernel as Nest providers (needs the KernelModule's MODELMORA_OPTIONS,
 * OPENED_DATABASE, Database, PostgresEventStore and CqrsModule's EventBus). Start-up FAILS
 * if another live process holds this instance id (InstanceIdInUseError).
 */
@Global()
@Module({})
export class ClusterModule {
  static register(): DynamicModule {
    const providers: Provider[] = [
      { provide: INSTANCE_ID, inject: [MODELMORA_OPTIONS], useFactory: (o: ModelMoraOptions) => o.instanceId },
      { provide: DEDICATED_CONNECTIONS, inject: [OPENED_DATABASE], useFactory: (opened: OpenedDatabase) => dedicatedConnections(opened) ?? null },
      {
        provide: InstanceLease,
        inject: [INSTANCE_ID, Database, DEDICATED_CONNECTIONS, MODELMORA_OPTIONS],
        useFactory: async (instanceId: string, db: Database, connect: DedicatedConnectionFactory | null, o: ModelMoraOptions) => {
          const lease = new InstanceLease({ instanceId, db, connect: connect ?? undefined, heartbeatMs: o.leaseHeartbeatMs, staleAfterMs: o.leaseStaleAfterMs });
          await lease.acquire();
          return lease;
        },
      },
      {
        provide: StoreNotifications,
        inject: [INSTANCE_ID, DEDICATED_CONNECTIONS],
        useFactory: (instanceId: string, connect: DedicatedConnectionFactory | null) => new StoreNotifications({ instanceId, connect: connect ?? undefined }),
      },
      StoreTail,
      RemoteEventsFeed,
      EventFeedHealth,
      ClusterLifecycle,
    ];
    return { module: ClusterModule, providers, exports: [INSTANCE_ID, DEDICATED_CONNECTIONS, InstanceLease, StoreNotifications, StoreTail] };
  }
}
