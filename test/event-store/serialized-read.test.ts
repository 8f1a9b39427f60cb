import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, DomainEvent } from '../../src/shared/domain/event-envelope.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { compactJsonb, serializeStored } from '../../src/shared/event-store/serialized-event.js';
import type { StoreCursor } from '../../src/shared/event-store/stored-event.js';
import { databaseBackends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { fixedContext } from '../support/test-events.js';

class Odd extends DomainEvent<Record<string, unknown>> {
  static readonly eventType = 'test.odd.happened';
  static readonly schemaVersion = 1;
}
/** Stored at version 1, read back at version 2 through an upcaster. */
class Grown extends DomainEvent<{ n: number; tags: string[] }> {
  static readonly eventType = 'test.grown.happened';
  static readonly schemaVersion = 2;
}
class GrownV1 extends DomainEvent<{ n: number }> {
  static readonly eventType = 'test.grown.happened';
  static readonly schemaVersion = 1;
}

/** Payloads where jsonb's text and JSON.stringify part ways: spacing, escapes, numbers, key order. */
const PAYLOADS: Record<string, unknown>[] = [
  { model_id: 'a/b', priority: 'normal', n: 1 },
  { text: 'commas, colons: "quotes" \\ back\\slash \n\t\r\b\f \u0001\u001f ünïcødé 🚀 \u2028', 'key, with: "odd"': [] },
  { nested: { a: [1, -2, 0, 3.25, -0.5, [], {}], b: { c: null, d: true, e: false } }, empty: {} },
  { big: 123456789012345678, tiny: 1e-7, huge: 1e21, frac: 0.1, neg: -0, max: Number.MAX_SAFE_INTEGER },
  { 7: 'integer-like keys come first in JavaScript', a: 1, 10: 'x', '01': 'not an index' },
  { '': 'empty key', ' ': 'space key', 'é': 1 },
];

describe.each(databaseBackends())('serialized settled reads on %s', (backend) => {
  let t: TestDatabase;
  const registry = new EventTypeRegistry().register(Odd, Grown).addUpcaster({ eventType: 'test.grown.happened', fromVersion: 1, upcast: (p) => ({ ...p, tags: ['old'] }) });
  let store: PostgresEventStore;

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    store = new PostgresEventStore(t.db, registry);
  }, 3 * 60_000);
  afterAll(() => t?.close());

  const settledAfter = (from: StoreCursor, count: number) =>
    eventually(async () => { const r = await store.readSettled(from, 100); return r.length === count && r; }, `${count} settled events`, 10_000);

  it('given odd payloads, an old schema version and correlation metadata, when read serialized, then each is byte for byte JSON.stringify of the revived envelope', async () => {
    const from = await store.headCursor();
    const ctx = fixedContext();
    const id = '0dd00000-0000-4000-8000-000000000001';
    const odd = PAYLOADS.map((p) => createEvent(Odd, { id, type: 'odd "thing"' }, p, ctx));
    const old = createEvent(GrownV1, { id: '0dd00000-0000-4000-8000-000000000002', type: 'grown' }, { n: 1 }, ctx);
    await store.append([
      { aggregateId: id, aggregateType: 'odd "thing"', expectedVersion: 0, events: odd, metadata: { correlation_id: 'c-1', causation_id: '', trace_id: 42 as unknown as string, other: 'x' } },
      { aggregateId: old.aggregate_id, aggregateType: 'grown', expectedVersion: 0, events: [old], metadata: { causation_id: 'k-1', trace_id: 't-1' } },
    ]);
    const revived = await settledAfter(from, PAYLOADS.length + 1);

    const serialized = await store.readSettledSerialized(from, 100);

    expect(serialized).toEqual(revived.map(serializeStored));
    expect(JSON.parse(serialized.at(-1)!.json)).toMatchObject({ version: 2, payload: { n: 1, tags: ['old'] } });
    expect(serialized[0]!.correlation).toEqual({ correlation_id: 'c-1' });
    expect(serialized.at(-1)!.correlation).toEqual({ causation_id: 'k-1', trace_id: 't-1' });
  });

  it('given an event type no class is registered for, when read serialized, then the read fails as the revived read does', async () => {
    const from = await store.headCursor();
    const stranger = new EventTypeRegistry().register(class Stranger extends DomainEvent { static readonly eventType = 'test.stranger.came'; static readonly schemaVersion = 1; });
    const e = new (stranger.classOf('test.stranger.came'))({ event_id: '0dd00000-0000-4000-8000-00000000000f', event_type: 'test.stranger.came', aggregate_id: '0dd00000-0000-4000-8000-00000000000e', aggregate_type: 'stranger', payload: {}, timestamp: '2025-12-04T10:30:00.000Z', version: 1 });
    const strangers = new PostgresEventStore(t.db, stranger);
    await strangers.append({ aggregateId: e.aggregate_id, aggregateType: 'stranger', expectedVersion: 0, events: [e] });
    await eventually(async () => (await strangers.readSettled(from, 10)).length === 1, 'the stranger settled', 10_000);

    await expect(store.readSettled(from, 10)).rejects.toThrow(/no event class is registered for "test.stranger.came"/);
    await expect(store.readSettledSerialized(from, 10)).rejects.toThrow(/no event class is registered for "test.stranger.came"/);
  });
});

describe('compactJsonb', () => {
  it.each([
    ['{"a": 1, "b": [1, 2, {"c": "d, e: f"}]}', '{"a":1,"b":[1,2,{"c":"d, e: f"}]}'],
    ['{"s": "a \\"quoted\\", b: c \\\\", "t": 2}', '{"s":"a \\"quoted\\", b: c \\\\","t":2}'],
    ['{"n": -12, "z": 0, "f": 2.5}', '{"n":-12,"z":0,"f":2.5}'],
  ])('writes %s as JSON.stringify does', (text, compact) => {
    expect(compactJsonb(text)).toBe(compact);
    expect(compact).toBe(JSON.stringify(JSON.parse(text)));
  });

  it.each([['{"f": 1.50}'], ['{"n": 1000000000000000000000}'], ['{"x": 0.0000001}'], ['{"7": 1}'], ['{"n": -0}'], ['{"n": 01}']])('leaves %s to JSON.parse', (text) => {
    expect(compactJsonb(text)).toBeUndefined();
  });
});
