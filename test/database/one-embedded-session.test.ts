import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { EmbeddedPostgres } from '../../src/shared/database/embedded-postgres.js';
import { dedicatedConnections } from '../../src/shared/cluster/dedicated-connection.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { ConcurrencyConflictError } from '../../src/shared/domain/domain-error.js';
import { START_OF_STORE } from '../../src/shared/event-store/stored-event.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { testRegistry, things } from '../support/test-events.js';

const A = 'aaaaaaaa-0000-4000-8000-0000000005e1';

/**
 * pglite-socket gives every client connection the same PostgreSQL session: whatever one
 * connection leaves in the session (prepared statements, settings, locks, LISTEN) the next sees.
 * The database is opened as `serve` opens it without DATABASE_URL.
 */
describe('the embedded database: one PostgreSQL session behind every connection', () => {
  let t: TestDatabase;
  let store: PostgresEventStore;
  let version = 0;
  const pool = () => (t.opened.dataSource.driver as unknown as { master: pg.Pool }).master;
  const append = () => store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: version, events: things(A, 1) }).then((s) => (version = s.at(-1)!.aggregateVersion));
  const appendInTransaction = () =>
    t.db.transaction((tx) => store.appendIn(tx, [{ aggregateId: A, aggregateType: 'test_thing', expectedVersion: version, events: things(A, 1) }])).then((s) => (version = s.at(-1)!.aggregateVersion));
  const reads = () => Promise.all([store.readSettled(START_OF_STORE, 10), store.readSettled(START_OF_STORE, 10, { aggregateId: A }), store.readSettled(START_OF_STORE, 10, { eventType: 'test.thing.happened' })]);
  const readsInTransaction = () => t.db.transaction((tx) => store.readSettled(START_OF_STORE, 10, { aggregateId: A, eventType: 'test.thing.happened' }, tx));
  /** Every hot prepared statement, from every kind of connection that runs it on this backend: the pool and a transaction's. */
  const everyHotStatement = async () => {
    await append();
    await appendInTransaction();
    await reads();
    await readsInTransaction();
  };
  const session = async () => (await t.db.query(`SELECT current_setting('search_path') AS search_path, current_setting('statement_timeout') AS statement_timeout,
      current_setting('idle_in_transaction_session_timeout') AS idle, (SELECT count(*)::int FROM pg_listening_channels()) AS listening,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory_locks`))[0];

  beforeAll(async () => {
    t = await openTestDatabase('pglite');
    store = new PostgresEventStore(t.db, testRegistry());
  }, 3 * 60_000);
  afterAll(() => t?.close());

  it('runs every hot statement again on the connection that replaces a retired one', async () => {
    await everyHotStatement();
    // given the pool retires its connection (idle timeout, a broken socket) while the session lives on
    const retired = await pool().connect();
    retired.release(true);
    // when the next connection runs the same statements, then none collides with the one the session kept
    await everyHotStatement();
    expect((await store.load(A)).events).toHaveLength(version);
    // and the session keeps one copy of each (the append and four reads), not the retired connection's too
    expect(await t.db.query(`SELECT count(*)::int AS n FROM pg_prepared_statements`)).toEqual([{ n: 5 }]);
  });

  it('keeps serving after the database refuses a prepared statement', async () => {
    await expect(store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 1) })).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await everyHotStatement();
    expect((await store.load(A)).events).toHaveLength(version);
  });

  it('opens no session of its own for leases, LISTEN or leader locks, and leaves no setting, lock or listener in the shared one', async () => {
    expect(dedicatedConnections(t.opened)).toBeUndefined();
    expect(await session()).toEqual({ search_path: t.schema, statement_timeout: '0', idle: '0', listening: 0, advisory_locks: 0 });
    const retired = await pool().connect();
    retired.release(true);
    expect(await session()).toEqual({ search_path: t.schema, statement_timeout: '0', idle: '0', listening: 0, advisory_locks: 0 });
  });

  it('lets one process at a time own the data folder: a second embedded server on it is refused', async () => {
    const second = EmbeddedPostgres.start(t.dataDir).then(async (opened) => {
      await opened.stop();
      return 'a second embedded server opened the folder';
    });
    await expect(second).rejects.toThrow(/data folder .* is in use by process \d+/);
  });
});
