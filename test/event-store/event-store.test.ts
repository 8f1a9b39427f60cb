import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { ConcurrencyConflictError } from '../../src/shared/domain/domain-error.js';
import { DomainEvent } from '../../src/shared/domain/event-envelope.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import { cursorOf, type StoreCursor } from '../../src/shared/event-store/stored-event.js';
import { databaseBackends, openTestDatabase, schemaClient, type TestDatabase } from '../support/databases.js';
import { testRegistry, things, ThingHappened } from '../support/test-events.js';
import { eventually } from '../support/eventually.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

describe.each(databaseBackends())('event store on %s', (backend) => {
  let t: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, testRegistry());
  }, 3 * 60_000); // PGlite's first start is slow on a loaded machine
  afterAll(() => t?.close());

  // The horizon holds back for one read when any transaction of the cluster (other suites run
  // beside this one) ends while that read runs: it cannot tell whether it wrote events. So a
  // claim about what *has* settled waits for it; a claim about what has not is checked at once.
  const settledAfter = (from: StoreCursor, count: number) =>
    eventually(async () => { const r = await store.readSettled(from, 10); return r.length === count && r; }, `${count} settled events`, 10_000);
  const quietHead = () =>
    eventually(async () => { const h = await store.headCursor(); return (await store.readAll({ after: h })).length === 0 && h; }, 'a head with nothing after it', 10_000);

  it('appends a stream in one statement and loads it back as the same envelopes', async () => {
    const events = things(A, 3);
    const stored = await store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events, metadata: { correlation_id: 'c-1' } });
    expect(stored.map((s) => s.aggregateVersion)).toEqual([1, 2, 3]);
    expect(stored[1]!.position).toBeGreaterThan(stored[0]!.position);

    const { snapshot, events: loaded } = await store.load(A);
    expect(snapshot).toBeUndefined();
    expect(loaded.map((s) => JSON.parse(JSON.stringify(s.event)))).toEqual(events.map((e) => JSON.parse(JSON.stringify(e))));
    expect(loaded[0]!.event).toBeInstanceOf(ThingHappened);
    expect(loaded[0]!.metadata).toEqual({ correlation_id: 'c-1' });
    expect(Object.keys(JSON.parse(JSON.stringify(loaded[0]!.event))).sort()).toEqual(
      ['aggregate_id', 'aggregate_type', 'event_id', 'event_type', 'payload', 'timestamp', 'version'],
    );
  });

  it('refuses an append whose expected version is stale, or ahead of the stream', async () => {
    await expect(store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 1, events: things(A, 1) })).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 9, events: things(A, 1) })).rejects.toBeInstanceOf(ConcurrencyConflictError);
    const { events } = await store.load(A);
    expect(events).toHaveLength(3);
  });

  it('lets exactly one of two concurrent appends with the same expected version win', async () => {
    const results = await Promise.allSettled([
      store.append({ aggregateId: B, aggregateType: 'test_thing', expectedVersion: 0, events: things(B, 2) }),
      store.append({ aggregateId: B, aggregateType: 'test_thing', expectedVersion: 0, events: things(B, 2, 10) }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConcurrencyConflictError);
    expect((await store.load(B)).events).toHaveLength(2);
  });

  it('loads from the latest snapshot plus the tail only', async () => {
    const id = 'cccccccc-0000-4000-8000-000000000003';
    await store.append({ aggregateId: id, aggregateType: 'test_thing', expectedVersion: 0, events: things(id, 4), snapshot: { aggregateVersion: 4, schemaVersion: 1, state: { sum: 6 } } });
    await store.append({ aggregateId: id, aggregateType: 'test_thing', expectedVersion: 4, events: things(id, 2, 4) });
    const { snapshot, events } = await store.load(id);
    expect(snapshot).toMatchObject({ aggregateVersion: 4, schemaVersion: 1, state: { sum: 6 } });
    expect(events.map((e) => e.aggregateVersion)).toEqual([5, 6]);
    expect((await store.load(id, { ignoreSnapshot: true })).events).toHaveLength(6);
  });

  it('stamps the appending instance in the metadata and returns each event with its transaction id', async () => {
    const id = 'abababab-0000-4000-8000-00000000000a';
    const stamped = new PostgresEventStore(t.db, testRegistry(), { instanceId: 'node-a' });
    const [stored] = await stamped.append({ aggregateId: id, aggregateType: 'test_thing', expectedVersion: 0, events: things(id, 1), metadata: { correlation_id: 'c-9' } });
    expect(stored!.metadata).toEqual({ correlation_id: 'c-9', instance_id: 'node-a' });
    const [loaded] = (await store.load(id)).events;
    expect(loaded!.metadata).toEqual({ correlation_id: 'c-9', instance_id: 'node-a' });
    expect(loaded!.transactionId).toBe(stored!.transactionId);
    expect(BigInt(stored!.transactionId!)).toBeGreaterThan(0n);
  });

  // PGlite runs one transaction at a time: two appends cannot overlap there.
  if (backend === 'postgres') {
    it('never lets a reader pass an event whose transaction took its position first and commits last', async () => {
      const early = 'dddddddd-0000-4000-8000-000000000004';
      const late = 'eeeeeeee-0000-4000-8000-000000000005';
      const from = await quietHead();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let appended!: () => void;
      const earlyInserted = new Promise<void>((r) => (appended = r));
      // Given: transaction 1 draws its position first and stays open.
      const slow = t.db.transaction(async (tx) => {
        await store.appendIn(tx, [{ aggregateId: early, aggregateType: 'test_thing', expectedVersion: 0, events: things(early, 1) }]);
        appended();
        await gate;
      });
      await earlyInserted;
      // When: transaction 2 draws a later position and commits first.
      const [lateStored] = await store.append({ aggregateId: late, aggregateType: 'test_thing', expectedVersion: 0, events: things(late, 1) });
      // Then: no reader sees it before transaction 1 ends, by cursor or by position...
      expect(await store.readSettled(from, 10)).toEqual([]);
      expect(await store.readAll({ after: from })).toEqual([]);
      release();
      await slow;
      // ...and once it ended, both, the early one first.
      const all = await settledAfter(from, 2);
      expect(all.map((s) => s.event.aggregate_id)).toEqual([early, late]);
      expect(all[1]!.position).toBe(lateStored!.position);
      expect((await store.readSettled(cursorOf(all[0]!), 10)).map((s) => s.event.aggregate_id)).toEqual([late]);
    });

    it('(control) a position-only reader skips a late commit; the settled reader does not', async () => {
      const [c1, c2] = await Promise.all([schemaClient(t.url!, t.schema), schemaClient(t.url!, t.schema)]);
      try {
        const head = await store.headPosition();
        const from = await quietHead();
        const naive = async () => (await c2.query(`SELECT aggregate_id FROM event_store WHERE position > $1 ORDER BY position`, [head])).rows.map((r) => r.aggregate_id);
        const insert = (c: pg.Client, id: string) => c.query(
          `INSERT INTO event_store (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version)
           VALUES (gen_random_uuid(), 'test.thing.happened', $1, 'test_thing', '{"n":0,"label":"raw"}', now(), 1, 1)`, [id]);
        await c1.query('BEGIN');
        await insert(c1, 'f0000000-0000-4000-8000-000000000006');
        await insert(c2, 'f0000000-0000-4000-8000-000000000007'); // autocommit: commits first
        expect(await naive()).toEqual(['f0000000-0000-4000-8000-000000000007']); // a position reader moves past 006
        expect(await store.readSettled(from, 10)).toEqual([]); // 007 is not settled while 006's transaction runs
        await c1.query('COMMIT');
        const settled = await settledAfter(from, 2);
        expect(settled.map((s) => s.event.aggregate_id)).toEqual(['f0000000-0000-4000-8000-000000000006', 'f0000000-0000-4000-8000-000000000007']);
      } finally {
        await Promise.all([c1.end(), c2.end()]);
      }
    });
  }

  it('reads all events after a cursor (or, for old clients, a position), filtered by aggregate and type', async () => {
    const firstTwo = await store.readAll({ limit: 2 });
    expect(firstTwo).toHaveLength(2);
    const rest = await store.readAll({ after: cursorOf(firstTwo[1]!), aggregateId: A });
    expect(rest.map((s) => s.aggregateVersion)).toEqual([3]);
    const byPosition = await store.readAll({ afterPosition: firstTwo[1]!.position, aggregateId: A });
    expect(byPosition.map((s) => s.aggregateVersion)).toEqual([3]);
    expect(await store.readAll({ eventType: 'no.such.type' })).toEqual([]);
  });

  it('keeps a (transaction id, position) checkpoint per reader; advance() never moves it back', async () => {
    const cps = new CheckpointStore(t.db);
    expect(await cps.get('relay')).toEqual({ transactionId: '0', position: 0 });
    await cps.set('relay', { transactionId: '900', position: 42 });
    await cps.advance('relay', { transactionId: '900', position: 43 });
    await cps.advance('relay', { transactionId: '899', position: 99 });
    expect(await cps.get('relay')).toEqual({ transactionId: '900', position: 43 });
    await cps.set('relay', { transactionId: '5', position: 1 });
    expect(await cps.get('relay')).toEqual({ transactionId: '5', position: 1 });
  });

  it('upcasts an old stored shape to the current event class', async () => {
    class ThingHappenedV2 extends DomainEvent<{ n: number; label: string; tags: string[] }> {
      static readonly eventType = 'test.thing.happened';
      static readonly schemaVersion = 2;
    }
    const registry = new EventTypeRegistry().register(ThingHappenedV2).addUpcaster({
      eventType: 'test.thing.happened',
      fromVersion: 1,
      upcast: (p) => ({ ...p, tags: [String(p.label)] }),
    });
    const v2store = new PostgresEventStore(t.db, registry);
    const { events } = await v2store.load(A);
    expect(events[0]!.event).toBeInstanceOf(ThingHappenedV2);
    expect(events[0]!.event.version).toBe(2);
    expect(events[0]!.event.payload).toEqual({ n: 0, label: 't0', tags: ['t0'] });
  });
});
