import { expect } from '@jest/globals';
import type { DomainEvent, EventContext } from '../../src/shared/domain/event-envelope.js';

type Decider<S, C> = {
  initial: () => S;
  evolve: (state: S, event: DomainEvent) => S;
  decide: (state: S, command: C, ctx: EventContext) => DomainEvent[];
};

/** Literal ids and a fixed clock: what a decision produced is stable and readable. */
export function fixedEventContext(iso = '2025-12-04T10:30:00.000Z'): EventContext {
  let n = 0;
  return { now: new Date(iso), newId: () => `00000000-0000-4000-8000-${(++n).toString().padStart(12, '0')}` };
}

/**
 * given(past events) → when(command) → then(new events | error code), against the pure
 * decide/evolve pair of an aggregate. Compares event types and payloads.
 */
export function specFor<S, C>(decider: Decider<S, C>) {
  return (given: DomainEvent[]) => ({
    when(command: C, ctx: EventContext = fixedEventContext()) {
      const run = () => decider.decide(given.reduce(decider.evolve, decider.initial()), command, ctx);
      return {
        then(expected: Array<{ event_type: string; payload: Record<string, unknown> }>) {
          const produced = run().map((e) => ({ event_type: e.event_type, payload: e.payload }));
          expect(produced).toEqual(expected);
        },
        thenFails(code: string) {
          expect(run).toThrow(expect.objectContaining({ code }) as unknown as Error);
        },
        events: () => run(),
      };
    },
  });
}
