import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { prepared } from '../../src/shared/database/prepared-statement.js';
import { APPEND_GUARD, APPEND_STATEMENT, appendStatement } from '../../src/shared/event-store/append-statement.js';
import { namedStatement } from '../../src/shared/event-store/named-statement.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { testRegistry, things } from '../support/test-events.js';

const A = 'aaaaaaaa-0000-4000-8000-0000000000a1';
const B = 'bbbbbbbb-0000-4000-8000-0000000000b2';
const C = 'cccccccc-0000-4000-8000-0000000000c3';

// The caller's own write, in the append's statement: one note per value of its named parameter.
const APPEND_WITH_NOTES = appendStatement({
  writes: { noted: `INSERT INTO side_notes (note) SELECT unnest($notes::text[]) WHERE ${APPEND_GUARD}` },
  parameters: ['notes'],
});

// A statement that finds itself among its connection's prepared statements (named after its text,
// plus its connection's tag: see statementNameOn): proof it ran by name.
const SELF = prepared(`SELECT name FROM pg_prepared_statements WHERE name LIKE $1 || '\\_%'`);

describe.each(databaseBackends())('the append statement, prepared and composed, on %s', (backend) => {
  let t: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, testRegistry());
  }, 3 * 60_000);
  afterAll(() => t?.close());

  it('names a statement after its text: one text, one statement', () => {
    const { prepared: statement } = APPEND_STATEMENT;
    expect(prepared(statement.text)).toEqual(statement);
    expect(prepared(`${statement.text} `).name).not.toBe(statement.name);
    expect(statement.name).toMatch(/^mm_[0-9a-f]{24}$/);
  });

  it('binds named parameters by name, in the order it compiled them, and refuses a name it was not given', () => {
    const s = namedStatement('SELECT $b::int + $a::int, $b::int', ['a', 'b']);
    expect(s.prepared.text).toBe('SELECT $2::int + $1::int, $2::int');
    expect(s.bind({ b: 2, a: 1 })).toEqual([1, 2]);
    expect(() => namedStatement('SELECT $a, $c', ['a'])).toThrow('$c is not among its parameters');
    expect(() => namedStatement('SELECT $a', ['a', 'b'])).toThrow('never used in the text: b');
    expect(() => appendStatement({ writes: {}, parameters: ['events'] })).toThrow('listed twice');
  });

  it('runs a pooled query by name on the connection that prepared it', async () => {
    for (let i = 0; i < 3; i++) expect(await t.db.query(SELF, [SELF.name])).toEqual([{ name: expect.stringMatching(new RegExp(`^${SELF.name}_[0-9a-z]+$`)) }]);
  });

  it('appends by name inside a transaction, on the transaction connection', async () => {
    const names = await t.db.transaction(async (tx) => {
      await store.appendIn(tx, [{ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 2) }]);
      return (await tx.query<{ name: string }>('SELECT name FROM pg_prepared_statements')).map((r) => r.name);
    });
    expect(names).toContainEqual(expect.stringMatching(new RegExp(`^${APPEND_STATEMENT.prepared.name}_[0-9a-z]+$`)));
    expect((await store.load(A)).events.map((s) => s.aggregateVersion)).toEqual([1, 2]);
  });

  it('keeps the expected-version check of a prepared append: a stale append is refused, a fresh one lands', async () => {
    // Past the five custom plans PostgreSQL tries before it may keep a generic one.
    for (let v = 0; v < 8; v++) await store.append({ aggregateId: B, aggregateType: 'test_thing', expectedVersion: v, events: things(B, 1) });
    await expect(store.append({ aggregateId: B, aggregateType: 'test_thing', expectedVersion: 3, events: things(B, 1) })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect((await store.load(B)).events).toHaveLength(8);
  });

  it('appends with the caller\'s writes in one statement: they land with the events, snapshot included, and not without them', async () => {
    await t.db.query('CREATE TABLE side_notes (note text)');
    const notes = async () => (await t.db.query<{ note: string }>('SELECT note FROM side_notes ORDER BY note')).map((r) => r.note);
    const snapshot = { aggregateVersion: 2, schemaVersion: 1, state: { seen: 2 } };
    const stored = await store.appendWith([{ aggregateId: C, aggregateType: 'test_thing', expectedVersion: 0, events: things(C, 2), snapshot }], APPEND_WITH_NOTES, { notes: ['first', 'second'] });
    expect(stored.map((s) => s.aggregateVersion)).toEqual([1, 2]);
    expect(await notes()).toEqual(['first', 'second']);
    expect((await store.load(C)).snapshot).toMatchObject({ aggregateVersion: 2, schemaVersion: 1, state: { seen: 2 } });

    await expect(
      store.appendWith([{ aggregateId: C, aggregateType: 'test_thing', expectedVersion: 1, events: things(C, 1), snapshot: { ...snapshot, aggregateVersion: 9 } }], APPEND_WITH_NOTES, { notes: ['stale'] }),
    ).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await notes()).toEqual(['first', 'second']);
    expect((await store.load(C)).snapshot?.aggregateVersion).toBe(2);
  });
});
