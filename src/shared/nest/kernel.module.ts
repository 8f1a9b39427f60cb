import { Global, Inject, Module, type DynamicModule, type ModuleMetadata, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { openDatabase, type OpenedDatabase } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { EventTypeRegistry } from '../domain/event-type-registry.js';
import type { Clock } from '../domain/ports.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { CheckpointStore } from '../event-store/checkpoint-store.js';
import { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { INLINE_PROJECTIONS, type InlineProjection } from '../event-sourcing/inline-projection.js';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { ClusterModule } from '../cluster/cluster.module.js';
import { entitiesOf, eventTypesOf, migrationsOf, type ContextFeature } from './context-feature.js';
import { EventBusPublisher } from './event-bus.publisher.js';
import { EventContextFactory, systemClock, uuidGenerator } from './event-context.factory.js';
import { CLOCK, ID_GENERATOR, MODELMORA_OPTIONS, OPENED_DATABASE } from './tokens.js';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(OPENED_DATABASE) private readonly opened: OpenedDatabase) {}
  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}

export interface KernelSettings {
  /** The contexts this app composes: their events, read models, tables. */
  features: readonly ContextFeature[];
  /** Modules the options provider needs (forRootAsync). */
  imports?: NonNullable<ModuleMetadata['imports']>;
  /** Where "now" comes from (the system's by default); every timestamp and deadline reads it. */
  clock?: Clock;
}

/** The shared kernel as Nest providers: database, event store, repository, clock and ids. */
@Global()
@Module({})
export class KernelModule {
  static register(optionsProvider: Provider, { features, imports = [], clock = systemClock }: KernelSettings): DynamicModule {
    const projections = features.flatMap((f) => f.projections ?? []);
    const providers: Provider[] = [
      optionsProvider,
      { provide: CLOCK, useValue: clock },
      { provide: ID_GENERATOR, useValue: uuidGenerator },
      {
        provide: OPENED_DATABASE,
        inject: [MODELMORA_OPTIONS],
        useFactory: (o: ModelMoraOptions) =>
          openDatabase({
            url: o.databaseUrl, dataDir: o.dataDir, schema: o.databaseSchema, poolSize: o.poolSize, timeouts: o.databaseTimeouts,
            entities: entitiesOf(features), migrations: migrationsOf(features),
          }),
      },
      { provide: Database, inject: [OPENED_DATABASE], useFactory: (o: OpenedDatabase) => new Database(o.dataSource) },
      // Complete before any aggregate loads: every composed context's events can be revived.
      { provide: EventTypeRegistry, useFactory: () => eventTypesOf(features) },
      {
        provide: PostgresEventStore,
        inject: [Database, EventTypeRegistry, MODELMORA_OPTIONS],
        useFactory: (db: Database, r: EventTypeRegistry, o: ModelMoraOptions) => new PostgresEventStore(db, r, { instanceId: o.instanceId }),
      },
      { provide: CheckpointStore, inject: [Database], useFactory: (db: Database) => new CheckpointStore(db) },
      ...projections,
      { provide: INLINE_PROJECTIONS, inject: projections, useFactory: (...all: InlineProjection[]) => all },
      EventBusPublisher,
      EventContextFactory,
      DatabaseCloser,
      {
        provide: AggregateRepository,
        inject: [Database, PostgresEventStore, INLINE_PROJECTIONS, EventBusPublisher, MODELMORA_OPTIONS],
        useFactory: (db: Database, store: PostgresEventStore, inline: InlineProjection[], publisher: EventBusPublisher, o: ModelMoraOptions) =>
          new AggregateRepository(db, store, inline, publisher, { snapshotEvery: o.snapshotEvery }),
      },
    ];
    return {
      module: KernelModule,
      // The instance lease is taken before any context loads its streams.
      imports: [ClusterModule.register(), ...imports],
      providers,
      exports: providers.filter((p) => p !== DatabaseCloser).map((p) => ('provide' in (p as object) ? (p as { provide: unknown }).provide : p)) as never[],
    };
  }
}
