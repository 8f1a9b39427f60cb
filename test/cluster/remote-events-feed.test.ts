import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule, EventBus, type IEvent } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { ClusterModule } from '../../src/shared/cluster/cluster.module.js';
import { InstanceIdInUseError } from '../../src/shared/cluster/instance-lease.js';
import { RemoteEventsFeed } from '../../src/shared/cluster/remote-events.feed.js';
import { StoreNotifications } from '../../src/shared/cluster/store-notifications.js';
import { StoreSubscription } from '../../src/shared/cluster/store-subscription.js';
import { StoreTail } from '../../src/shared/cluster/store-tail.js';
import { resolveOptions } from '../../src/shared/config/modelmora-options.js';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import type { DomainEvent } from '../../src/shared/domain/event-envelope.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { MODELMORA_OPTIONS, OPENED_DATABASE } from '../../src/shared/nest/tokens.js';
import { eventually } from '../support/eventually.js';
import { openTestDatabase, type TestDatabase, postgresAvailable } from '../support/databases.js';
import { testRegistry, things } from '../support/test-events.js';

// Events reach other instances once settled: only ModelMora's own open transactions (in this
// suite's database) can hold them back, so other suites on the server no longer do.
const SETTLE_TIMEOUT_MS = 10_000;

/** The part of the KernelModule the cluster providers need, on one DataSource. */
@Global()
@Module({})
class TestKernel {
  static on(opened: OpenedDatabase, instanceId: string): DynamicModule {
    const db = new Database(opened.dataSource);
    const providers = [
      { provide: MODELMORA_OPTIONS, useValue: resolveOptions({ instanceId }) },
      { provide: OPENED_DATABASE, useValue: opened },
      { provide: Database, useValue: db },
      { provide: PostgresEventStore, useValue: new PostgresEventStore(db, testRegistry(), { instanceId }) },
    ];
    return { module: TestKernel, providers, exports: providers.map((p) => p.provide) };
  }
}

interface Instance {
  app: TestingModule;
  store: PostgresEventStore;
  heard: DomainEvent[];
}

async function startInstance(opened: OpenedDatabase, instanceId: string): Promise<Instance> {
  const app = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), TestKernel.on(opened, instanceId), ClusterModule.register()] }).compile();
  const heard: DomainEvent[] = [];
  app.get(EventBus).subscribe((e: IEvent) => heard.push(e as DomainEvent));
  await app.init();
  return { app, store: app.get(PostgresEventStore), heard };
}

// Two app instances = two Nest apps on two DataSources, one PostgreSQL database.
(postgresAvailable() ? describe : describe.skip)('events of other instances on the local EventBus (postgres)', () => {
  let t: TestDatabase;
  let second: OpenedDatabase;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    second = await openDatabase({ url: t.url, dataDir: t.dataDir, ...modelMoraTables });
    a = await startInstance(t.opened, 'node-a');
    b = await startInstance(second, 'node-b');
  });
  afterAll(async () => {
    await b?.app.close();
    await a?.app.close();
    await second?.close();
    await t?.close();
  });

  it('publishes on B, in order and once, what was appended through A, and never re-publishes it on A', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const first = await a.store.append({ aggregateId: x, aggregateType: 'test_thing', expectedVersion: 0, events: things(x, 2) });
    const second = await a.store.append([
      { aggregateId: y, aggregateType: 'test_thing', expectedVersion: 0, events: things(y, 1) },
      { aggregateId: x, aggregateType: 'test_thing', expectedVersion: 2, events: things(x, 1, 2) },
    ]);
    const fromA = [...first, ...second].map((s) => s.event.event_id);
    await eventually(() => b.heard.length >= 4, "A's four events on B's EventBus", SETTLE_TIMEOUT_MS);

    // B answers; once A hears it, everything A appended before has had every chance to come back to A.
    const [reply] = await b.store.append({ aggregateId: y, aggregateType: 'test_thing', expectedVersion: 1, events: things(y, 1, 1) });
    await eventually(() => a.heard.length >= 1, "B's reply on A's EventBus", SETTLE_TIMEOUT_MS);
    // A last event from A: once B has it, B's feed has passed everything before it (and its own reply).
    const [closing] = await a.store.append({ aggregateId: x, aggregateType: 'test_thing', expectedVersion: 3, events: things(x, 1, 3) });
    await eventually(() => b.heard.some((e) => e.event_id === closing!.event.event_id), "A's closing event on B", SETTLE_TIMEOUT_MS);

    expect(b.heard.map((e) => e.event_id)).toEqual([...fromA, closing!.event.event_id]);
    expect(b.heard.filter((e) => e.aggregate_id === x).map((e) => e.payload.n)).toEqual([0, 1, 2, 3]);
    expect(a.heard.map((e) => e.event_id)).toEqual([reply!.event.event_id]);
    expect(a.app.get(RemoteEventsFeed).published).toBe(1);
    expect(b.app.get(RemoteEventsFeed).published).toBe(5);
  }, 6 * 60_000);

  it('wakes the tail only for the other instances\' commits while no client watches: the notification says who appended', async () => {
    const heard: (string | undefined)[] = [];
    const stop = a.app.get(StoreNotifications).subscribe((appendedBy) => heard.push(appendedBy));
    const wakes = jest.spyOn(StoreSubscription.prototype, 'notify');
    try {
      const tailOfA = (a.app.get(StoreTail) as unknown as { subscription: StoreSubscription }).subscription;
      const [p, q] = [randomUUID(), randomUUID()];
      await a.store.append({ aggregateId: q, aggregateType: 'test_thing', expectedVersion: 0, events: things(q, 1) });
      const [fromB] = await b.store.append({ aggregateId: p, aggregateType: 'test_thing', expectedVersion: 0, events: things(p, 1) });
      // Notifications arrive in commit order: once B's is heard, A's own came before it.
      await eventually(() => heard.includes('node-b') && heard.includes('node-a'), 'both notifications', SETTLE_TIMEOUT_MS);
      await eventually(() => a.heard.some((e) => e.event_id === fromB!.event.event_id), "B's event on A's EventBus", SETTLE_TIMEOUT_MS);
      expect(wakes.mock.contexts.filter((self) => self === tailOfA)).toHaveLength(1);
    } finally {
      wakes.mockRestore();
      stop();
    }
  });

  it('refuses to start a second live process with an instance id already held', async () => {
    await expect(startInstance(second, 'node-a')).rejects.toBeInstanceOf(InstanceIdInUseError);
  });
});
