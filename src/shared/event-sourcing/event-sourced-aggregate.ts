import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../domain/event-envelope.js';

/** A thin Nest aggregate root: decisions are pure domain functions and state changes go through `evolve`, chosen by `event_type`, never by class name. */
export abstract class EventSourcedAggregate<S> extends AggregateRoot<DomainEvent> {
  abstract readonly aggregateType: string;
  /** Bump when the state's JSON shape changes: older snapshots are then ignored. */
  readonly snapshotSchemaVersion: number = 1;
  private streamVersion = 0;
  /** Version of the latest snapshot this instance was restored from or saved. */
  private snapshotVersion = 0;

  protected constructor(
    readonly id: string,
    protected state: S,
  ) {
    super();
  }

  protected abstract evolve(state: S, event: DomainEvent): S;

  /** Applies a decision's events in order and returns them: [] tells "nothing to do" from a decision. */
  protected applyAll<E extends DomainEvent>(events: readonly E[]): E[] {
    for (const e of events) this.apply(e);
    return [...events];
  }

  /** Version including events applied but not yet stored. */
  get version(): number {
    return this.streamVersion;
  }

  /** The version the store holds: what an append must expect. */
  get storedVersion(): number {
    return this.streamVersion - this.getUncommittedEvents().length;
  }

  snapshotState(): S {
    return this.state;
  }

  restoreSnapshot(state: S, version: number): void {
    this.state = state;
    this.streamVersion = version;
    this.snapshotVersion = version;
  }

  /** Whether the next save should carry a snapshot: enough events since the last one. */
  wantsSnapshot(every: number): boolean {
    return this.streamVersion - this.snapshotVersion >= this.snapshotInterval(every);
  }

  markSnapshotted(): void {
    this.snapshotVersion = this.streamVersion;
  }

  /**
   * Events between snapshots. A state that grows (a deep queue) overrides this to grow
   * the interval with it, so writing snapshots stays O(1) per event amortised. Public for
   * writers that count recorded events themselves (the queue's group commit).
   */
  snapshotInterval(every: number): number {
    return every;
  }

  protected override getEventName(event: DomainEvent): string {
    return event.event_type;
  }

  protected override getEventHandler(): any {
    return (event: DomainEvent) => {
      this.state = this.evolve(this.state, event);
      this.streamVersion += 1;
    };
  }
}
