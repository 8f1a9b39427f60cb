import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { START_OF_STORE } from '../../src/shared/event-store/stored-event.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { testRegistry, things } from '../support/test-events.js';

const A = 'aaaaaaaa-0000-4000-8000-0000000000d1';
const B = 'bbbbbbbb-0000-4000-8000-0000000000d2';
const C = 'cccccccc-0000-4000-8000-0000000000d3';

// Catch-up readers go in (transaction id, position) order, compared as xid8. Written as text,
// 10 sorts before 9 and 1000000 before 999999: a batch cut at a digit boundary would end on a
// cursor past events it never read, and they would be skipped for good.
describe.each(databaseBackends())('settled readers order transaction ids as numbers, not text, on %s', (backend) => {
  let t: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, testRegistry());
    // Given: two old transactions whose ids differ in their number of digits, and a recent one.
    await store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 1) });
    await store.append({ aggregateId: B, aggregateType: 'test_thing', expectedVersion: 0, events: things(B, 1) });
    await t.db.query(`UPDATE event_store SET transaction_id = '9'::xid8 WHERE aggregate_id = $1`, [A]);
    await t.db.query(`UPDATE event_store SET transaction_id = '10'::xid8 WHERE aggregate_id = $1`, [B]);
    await store.append({ aggregateId: C, aggregateType: 'test_thing', expectedVersion: 0, events: things(C, 1) });
  }, 3 * 60_000);
  afterAll(() => t?.close());

  it('reads transaction 9 before 10, one at a time, and then the recent one', async () => {
    const seen: string[] = [];
    for (let cursor = START_OF_STORE; ; ) {
      const [next] = await store.readSettled(cursor, 1);
      if (!next) break;
      seen.push(next.event.aggregate_id);
      cursor = { transactionId: next.transactionId!, position: next.position };
    }
    expect(seen).toEqual([A, B, C]);
  });

  it('puts the head cursor after the recent transaction, not after the one that sorts last as text', async () => {
    const [recent] = await t.db.query<{ transaction_id: string }>(`SELECT transaction_id::text AS transaction_id FROM event_store WHERE aggregate_id = $1`, [C]);
    expect((await store.headCursor()).transactionId).toBe(recent!.transaction_id);
  });
});
