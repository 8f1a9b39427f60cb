import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { cursorOf, START_OF_STORE, type StoreCursor, type StoredEvent } from '../../src/shared/event-store/stored-event.js';
import { openTestDatabase, type TestDatabase, postgresAvailable } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { testRegistry, things } from '../support/test-events.js';

/** A gate a test opens by hand: holds a transaction open until released. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** A catch-up reader as the relay and subscriptions run it: settled rows, (transaction id, position) cursor. */
class Reader {
  readonly seen: StoredEvent[] = [];
  private cursor: StoreCursor = START_OF_STORE;
  /** Reads only the test's own streams (earlier tests' rows may settle late: the server's oldest transaction decides). */
  constructor(private readonly store: PostgresEventStore, private readonly streams: string[]) {}
  async poll(): Promise<number> {
    const batch = await this.store.readSettled(this.cursor, 1000);
    if (batch.length) this.cursor = cursorOf(batch.at(-1)!);
    const ours = batch.filter((s) => this.streams.includes(s.event.aggregate_id));
    this.seen.push(...ours);
    return ours.length;
  }
}

// Settling waits only for open transactions that wrote ModelMora events in this suite's
// database (settled-horizon.ts): other suites on the server no longer hold it back.
const SETTLE_TIMEOUT_MS = 10_000;

/** A host's write transaction, held open on its own connection until `end()`. */
async function openHostTransaction(url: string, sql: string[]): Promise<{ xid: string; end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  for (const statement of sql) await client.query(statement);
  const [{ xid }] = (await client.query('SELECT pg_current_xact_id()::text AS xid')).rows;
  return {
    xid,
    async end() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

// Two instances = two DataSources (two pools) on one PostgreSQL database. PGlite runs one
// transaction at a time, so out-of-order commits cannot happen there.
(postgresAvailable() ? describe : describe.skip)('concurrent appends from two instances (postgres)', () => {
  let t: TestDatabase;
  let other: OpenedDatabase;
  let a: PostgresEventStore;
  let b: PostgresEventStore;
  let dbA: Database;
  let dbB: Database;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    other = await openDatabase({ url: t.url, dataDir: t.dataDir, ...modelMoraTables });
    dbA = t.db;
    dbB = new Database(other.dataSource);
    a = new PostgresEventStore(dbA, testRegistry(), { instanceId: 'a' });
    b = new PostgresEventStore(dbB, testRegistry(), { instanceId: 'b' });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('lets two transactions append to different streams at once: neither waits for the other', async () => {
    const held = gate();
    const appendedInA = gate();
    const [s1, s2] = [randomUUID(), randomUUID()];
    const slow = dbA.transaction(async (tx) => {
      await a.appendIn(tx, [{ aggregateId: s1, aggregateType: 'test_thing', expectedVersion: 0, events: things(s1, 1) }]);
      appendedInA.open();
      await held.opened;
    });
    await appendedInA.opened;
    // With one global append lock this would wait for `slow`, which waits for us: a deadlock the race turns into a failure.
    const outcome = await Promise.race([
      b.append({ aggregateId: s2, aggregateType: 'test_thing', expectedVersion: 0, events: things(s2, 1) }).then(() => 'committed'),
      new Promise((r) => setTimeout(() => r('blocked behind the open transaction'), 15_000)),
    ]);
    expect(outcome).toBe('committed');
    held.open();
    await slow;
  });

  it('a reader never skips an event whose transaction commits after a later one of the other instance', async () => {
    const [s1, s2] = [randomUUID(), randomUUID()];
    const reader = new Reader(a, [s1, s2]);
    const held = gate();
    const appendedInA = gate();
    const slow = dbA.transaction(async (tx) => {
      const stored = await a.appendIn(tx, [{ aggregateId: s1, aggregateType: 'test_thing', expectedVersion: 0, events: things(s1, 2) }]);
      appendedInA.open();
      await held.opened;
      return stored;
    });
    await appendedInA.opened;
    const fast = await b.append({ aggregateId: s2, aggregateType: 'test_thing', expectedVersion: 0, events: things(s2, 2) });
    await reader.poll(); // B committed, A has not: B's events are not settled yet
    expect(reader.seen).toEqual([]);
    held.open();
    const early = await slow;
    // Settling waits for every older transaction of the server (other databases too): wait for it.
    await eventually(async () => (await reader.poll(), reader.seen.length >= 4), 'both instances\' events to settle', SETTLE_TIMEOUT_MS);
    expect(early[0]!.position).toBeLessThan(fast[0]!.position);
    expect(reader.seen.map((s) => s.event.event_id)).toEqual([...early, ...fast].map((s) => s.event.event_id));
    expect(reader.seen.map((s) => s.metadata.instance_id)).toEqual(['a', 'a', 'b', 'b']);
  }, 3 * 60_000);

  /** True when the server-wide horizon (the old one) would have held `txid` back. */
  async function serverWideHorizonHolds(txid: string): Promise<boolean> {
    const [{ held }] = await dbA.query(`SELECT pg_snapshot_xmin(pg_current_snapshot()) <= $1::xid8 AS held`, [txid]);
    return held;
  }

  it('serves an event at once while a host holds a write transaction open in another database of the server', async () => {
    const s1 = randomUUID();
    const reader = new Reader(a, [s1]);
    await reader.poll();
    const host = await openHostTransaction(process.env.DATABASE_URL!, ['CREATE TEMP TABLE host_batch (n int)', 'INSERT INTO host_batch VALUES (1)']);
    try {
      const [stored] = await b.append({ aggregateId: s1, aggregateType: 'test_thing', expectedVersion: 0, events: things(s1, 1) });
      expect(await serverWideHorizonHolds(stored!.transactionId!)).toBe(true); // the control: pg_snapshot_xmin waits for the host
      expect(await reader.poll()).toBe(1); // no wait: the first read after the commit has it
    } finally {
      await host.end();
    }
  });

  it('serves an event at once while a host holds a write transaction open on its own table in this database', async () => {
    const s1 = randomUUID();
    const reader = new Reader(a, [s1]);
    await reader.poll();
    await dbA.query('CREATE TABLE IF NOT EXISTS public.host_orders (n int)');
    const host = await openHostTransaction(t.url!, ['INSERT INTO public.host_orders VALUES (1)']);
    try {
      const [stored] = await b.append({ aggregateId: s1, aggregateType: 'test_thing', expectedVersion: 0, events: things(s1, 1) });
      expect(await serverWideHorizonHolds(stored!.transactionId!)).toBe(true);
      expect(await reader.poll()).toBe(1);
    } finally {
      await host.end();
    }
  });

  it('holds nothing back for a writer that announced itself but has no transaction id yet, and reads its events once it commits', async () => {
    const [s1, s2] = [randomUUID(), randomUUID()];
    const reader = new Reader(a, [s1, s2]);
    await reader.poll();
    const announced = gate();
    const wrote = gate();
    const write = gate();
    const commit = gate();
    // W takes the append's lock (its announcement) before it has an id, as an append statement does.
    const w = dbA.transaction(async (tx) => {
      await tx.query('LOCK TABLE event_store IN ROW EXCLUSIVE MODE');
      announced.open();
      await write.opened;
      const stored = await a.appendIn(tx, [{ aggregateId: s1, aggregateType: 'test_thing', expectedVersion: 0, events: things(s1, 1) }]);
      wrote.open();
      await commit.opened;
      return stored;
    });
    await announced.opened;
    const [first] = await b.append({ aggregateId: s2, aggregateType: 'test_thing', expectedVersion: 0, events: things(s2, 1) });
    expect(await reader.poll()).toBe(1); // W's id, whenever it comes, is above this snapshot's xmax
    write.open();
    await wrote.opened;
    const [second] = await b.append({ aggregateId: s2, aggregateType: 'test_thing', expectedVersion: 1, events: things(s2, 1, 1) });
    expect(await reader.poll()).toBe(0); // W now has an id below B's second append: it holds that back
    commit.open();
    const [fromW] = await w;
    expect(await reader.poll()).toBe(2);
    expect(reader.seen.map((e) => e.event.event_id)).toEqual([first, fromW, second].map((e) => e!.event.event_id));
  });

  it('under a burst of interleaved commits from both instances, the reader sees every event once, each stream in order', async () => {
    const streams = Array.from({ length: 6 }, () => randomUUID());
    const reader = new Reader(a, streams);
    const versions = new Map<string, number>(streams.map((s) => [s, 0]));
    const written: StoredEvent[] = [];
    let writing = true;
    const readerLoop = (async () => {
      while (writing) {
        await reader.poll();
        await new Promise((r) => setImmediate(r));
      }
    })();
    // Each writer owns three streams; some transactions stay open a little while others commit.
    const writer = async (store: PostgresEventStore, db: Database, own: string[], rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const id = own[i % own.length]!;
        const v = versions.get(id)!;
        versions.set(id, v + 2);
        const part = { aggregateId: id, aggregateType: 'test_thing', expectedVersion: v, events: things(id, 2, v) };
        if (i % 3 === 0) {
          written.push(...(await db.transaction(async (tx) => {
            const s = await store.appendIn(tx, [part]);
            await new Promise((r) => setTimeout(r, 1 + (i % 7)));
            return s;
          })));
        } else {
          written.push(...(await store.append(part)));
        }
      }
    };
    await Promise.all([
      writer(a, dbA, streams.slice(0, 3), 60), writer(a, dbA, streams.slice(0, 3).reverse(), 0),
      writer(b, dbB, streams.slice(3), 60),
    ]);
    writing = false;
    await readerLoop;
    await eventually(async () => (await reader.poll(), reader.seen.length >= written.length), 'every event to settle', SETTLE_TIMEOUT_MS);

    const ids = reader.seen.map((s) => s.event.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(written.map((s) => s.event.event_id)));
    for (const id of streams) {
      const ofStream = reader.seen.filter((s) => s.event.aggregate_id === id).map((s) => s.aggregateVersion);
      expect(ofStream).toEqual(Array.from({ length: ofStream.length }, (_, i) => i + 1));
    }
  }, 3 * 60_000);
});
