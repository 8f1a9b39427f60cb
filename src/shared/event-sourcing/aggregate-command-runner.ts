import type { EventContext } from '../domain/event-envelope.js';
import type { AggregateRepository } from './aggregate-repository.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';
import { retryOnConflict } from './retry-on-conflict.js';
import { SerialExecutor } from './serial-executor.js';

/**
 * Runs one decision on a singleton aggregate (the catalog, this instance's lifecycle manager):
 * load → decide → commit → publish, one step at a time in process, retried on conflict across processes.
 */
export class AggregateCommandRunner<A extends EventSourcedAggregate<any>> {
  private readonly serial = new SerialExecutor();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly newContext: () => EventContext,
    private readonly emptyAggregate: () => A,
    /** Between the commit and the publish, so the events' handlers read the state the events made. */
    private readonly committed: (aggregate: A) => void = () => undefined,
  ) {}

  run<T>(decide: (aggregate: A, ctx: EventContext) => T): Promise<T> {
    return this.serial.run(() =>
      retryOnConflict(async () => {
        const aggregate = await this.repository.load(this.emptyAggregate());
        const result = decide(aggregate, this.newContext());
        const stored = await this.repository.commit(aggregate);
        this.committed(aggregate);
        this.repository.publish(stored);
        return result;
      }),
    );
  }
}
