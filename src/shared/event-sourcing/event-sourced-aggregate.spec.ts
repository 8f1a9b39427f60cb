import { describe, expect, it } from '@jest/globals';
import { DomainEvent, createEvent } from '../domain/event-envelope.js';
import { EventSourcedAggregate } from './event-sourced-aggregate.js';

class Counted extends DomainEvent<{ n: number }> {
  static readonly eventType = 'test.counted';
  static readonly schemaVersion = 1;
}

/** A tally whose snapshot grows with its state, like the inference queue's live jobs. */
class Tally extends EventSourcedAggregate<{ items: number[] }> {
  readonly aggregateType = 'tally';
  /** Stands for the size of a state that snapshots proportionally (a queue's live jobs). */
  liveSize = 0;
  constructor() {
    super('00000000-0000-4000-8000-000000000001', { items: [] });
  }
  add(n: number): void {
    let i = 0;
    this.apply(createEvent(Counted, { id: this.id, type: this.aggregateType }, { n }, { now: new Date(0), newId: () => `00000000-0000-4000-8000-${String(++i).padStart(12, '0')}` }));
  }
  get items() {
    return this.state.items;
  }
  override snapshotInterval(every: number): number {
    return Math.max(every, this.liveSize);
  }
  protected evolve(state: { items: number[] }, event: DomainEvent) {
    return event.event_type === 'test.counted' ? { items: [...state.items, (event as Counted).payload.n] } : state;
  }
}

describe('EventSourcedAggregate', () => {
  it('routes apply() by event_type into evolve and counts its stream version', () => {
    const t = new Tally();
    t.add(1);
    t.add(2);
    expect(t.items).toEqual([1, 2]);
    expect(t.version).toBe(2);
    expect(t.storedVersion).toBe(0);
    expect(t.getUncommittedEvents().map((e) => e.event_type)).toEqual(['test.counted', 'test.counted']);
  });

  it('wants a snapshot every N events after the last one', () => {
    const t = new Tally();
    for (let i = 0; i < 9; i++) t.add(i);
    expect(t.wantsSnapshot(10)).toBe(false);
    t.add(9);
    expect(t.wantsSnapshot(10)).toBe(true);
    t.markSnapshotted();
    expect(t.wantsSnapshot(10)).toBe(false);
  });

  it('spaces snapshots out when a big state makes each one costly', () => {
    const t = new Tally();
    t.liveSize = 25;
    for (let i = 0; i < 10; i++) t.add(i);
    expect(t.wantsSnapshot(10)).toBe(false); // 25 live: the next snapshot waits 25 events
    for (let i = 0; i < 15; i++) t.add(i);
    expect(t.wantsSnapshot(10)).toBe(true);
  });

  it('counts from a restored snapshot', () => {
    const t = new Tally();
    t.restoreSnapshot({ items: [7] }, 40);
    expect(t.version).toBe(40);
    expect(t.wantsSnapshot(10)).toBe(false);
  });
});
