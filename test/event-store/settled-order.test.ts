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
    // Given: transactions 9, 10 and 11, old enough to be settled whatever else the server runs.
    // As text they sort 10, 11, 9: both the order and the head tell the two apart.
    for (const [id, xid] of [[A, '9'], [B, '10'], [C, '11']] as const) {
      await store.append({ aggregateId: id, aggregateType: 'test_thing', expectedVersion: 0, events: things(id, 1) });
      await t.db.query(`UPDATE event_store SET transaction_id = $2::xid8 WHERE aggregate_id = $1`, [id, xid]);
    }
  }, 3 * 60_000);
  afterAll(() => t?.close());

  it('reads transaction 9, then 10, then 11, one at a time', async () => {
    const seen: string[] = [];
    for (let cursor = START_OF_STORE; ; ) {
      const [next] = await store.readSettled(cursor, 1);
      if (!next) break;
      seen.push(next.event.aggregate_id);
      cursor = { transactionId: next.transactionId!, position: next.position };
    }
    expect(seen).toEqual([A, B, C]);
  });

  it('puts the head cursor at transaction 11, not at 9, which sorts last as text', async () => {
    expect((await store.headCursor()).transactionId).toBe('11');
  });
});
