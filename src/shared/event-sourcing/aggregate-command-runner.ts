import { ConcurrencyConflictError } from '../domain/domain-error.js';
import type { EventContext } from '../domain/event-envelope.js';
import type { AggregateRepository } from './aggregate-repository.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';

const CONFLICT_ATTEMPTS = 10;

/**
 * Runs one decision on a singleton aggregate (the catalog, an instance's lifecycle manager): load → decide
 * → commit → publish, queued in process; a conflict with another process re-runs the step on fresh state
 * (the decision is made again, never the old events re-sent).
 */
export class AggregateCommandRunner<A extends EventSourcedAggregate<any>> {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly newContext: () => EventContext,
    private readonly emptyAggregate: () => A,
    /** Between the commit and the publish, so the events' handlers read the state the events made. */
    private readonly committed: (aggregate: A) => void = () => undefined,
  ) {}

  run<T>(decide: (aggregate: A, ctx: EventContext) => T): Promise<T> {
    const result = this.tail.then(() => this.step(decide));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async step<T>(decide: (aggregate: A, ctx: EventContext) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const aggregate = await this.repository.load(this.emptyAggregate());
        const result = decide(aggregate, this.newContext());
        const stored = await this.repository.commit(aggregate);
        this.committed(aggregate);
        this.repository.publish(stored);
        return result;
      } catch (err) {
        if (!(err instanceof ConcurrencyConflictError) || attempt >= CONFLICT_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt)); // jitter spreads racing writers
      }
    }
  }
}
