import { DomainEvent, createEvent, type EventContext } from '../../src/shared/domain/event-envelope.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';

export class ThingHappened extends DomainEvent<{ n: number; label: string }> {
  static readonly eventType = 'test.thing.happened';
  static readonly schemaVersion = 1;
}

export const testRegistry = () => new EventTypeRegistry().register(ThingHappened);

let counter = 0;
/** Literal, ordered ids: readable in failures and stable across runs. */
export const fixedContext = (iso = '2025-12-04T10:30:00.000Z'): EventContext => ({
  now: new Date(iso),
  newId: () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`,
});

export function things(aggregateId: string, count: number, from = 0): ThingHappened[] {
  const ctx = fixedContext();
  return Array.from({ length: count }, (_, i) =>
    createEvent(ThingHappened, { id: aggregateId, type: 'test_thing' }, { n: from + i, label: `t${from + i}` }, ctx),
  );
}
