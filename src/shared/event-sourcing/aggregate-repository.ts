import type { Database } from '../database/database.js';
import type { PostgresEventStore } from '../event-store/event-store.js';
import type { EventMetadata, StoredEvent } from '../event-store/stored-event.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';
import type { InlineProjection } from './inline-projection.js';

/** Receives events once their transaction committed (the Nest EventBus, in the app). */
export interface CommittedEventsPublisher {
  publish(events: readonly StoredEvent[]): void;
}

export interface RepositoryOptions {
  /** Take a snapshot in the append's transaction every N events of a stream. */
  snapshotEvery: number;
}

/**
 * Load → (the aggregate decides) → save: append with the expected version, update the
 * inline read models in the same transaction, then — only after the commit — publish.
 */
export class AggregateRepository {
  constructor(
    private readonly db: Database,
    private readonly store: PostgresEventStore,
    private readonly projections: readonly InlineProjection[],
    private readonly publisher: CommittedEventsPublisher,
    private readonly options: RepositoryOptions,
  ) {}

  async load<A extends EventSourcedAggregate<any>>(aggregate: A): Promise<A> {
    let { snapshot, events } = await this.store.load(aggregate.id);
    if (snapshot && snapshot.schemaVersion !== aggregate.snapshotSchemaVersion) {
      // An old state shape cannot be trusted: replay the whole stream instead.
      ({ events } = await this.store.load(aggregate.id, { ignoreSnapshot: true }));
      snapshot = undefined;
    }
    if (snapshot) aggregate.restoreSnapshot(snapshot.state, snapshot.aggregateVersion);
    aggregate.loadFromHistory(events.map((e) => e.event));
    return aggregate;
  }

  /** Commit, then publish. */
  async save(aggregates: EventSourcedAggregate<any> | readonly EventSourcedAggregate<any>[], metadata?: EventMetadata): Promise<StoredEvent[]> {
    const stored = await this.commit(aggregates, metadata);
    this.publish(stored);
    return stored;
  }

  /** Appends the aggregates' new events and projects them in one transaction; publishes nothing. */
  async commit(aggregates: EventSourcedAggregate<any> | readonly EventSourcedAggregate<any>[], metadata?: EventMetadata): Promise<StoredEvent[]> {
    const list = (Array.isArray(aggregates) ? aggregates : [aggregates]) as EventSourcedAggregate<any>[];
    const streams = list
      .filter((a) => a.getUncommittedEvents().length > 0)
      .map((a) => ({
        aggregateId: a.id,
        aggregateType: a.aggregateType,
        expectedVersion: a.storedVersion,
        events: [...a.getUncommittedEvents()],
        metadata,
        snapshot: a.wantsSnapshot(this.options.snapshotEvery)
          ? { aggregateVersion: a.version, schemaVersion: a.snapshotSchemaVersion, state: a.snapshotState() }
          : undefined,
      }));
    if (streams.length === 0) return [];
    const stored = await this.db.transaction(async (tx) => {
      const appended = await this.store.appendIn(tx, streams);
      for (const p of this.projections) await p.project(tx, appended);
      return appended;
    });
    for (const a of list) {
      if (streams.find((s) => s.aggregateId === a.id)?.snapshot) a.markSnapshotted();
      a.uncommit();
    }
    return stored;
  }

  /** Events reach the bus only once their transaction committed. */
  publish(stored: readonly StoredEvent[]): void {
    if (stored.length > 0) this.publisher.publish(stored);
  }
}
