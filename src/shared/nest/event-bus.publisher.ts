import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Subject } from 'rxjs';
import type { CommittedEventsPublisher } from '../event-sourcing/aggregate-repository.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/**
 * After a commit: the events go to the Nest EventBus (sagas, handlers) and the stored
 * form (with positions) to `committed$` for infrastructure that tracks the log, such as
 * the Kafka relay's wake-up.
 */
@Injectable()
export class EventBusPublisher implements CommittedEventsPublisher {
  readonly committed$ = new Subject<readonly StoredEvent[]>();

  constructor(private readonly eventBus: EventBus) {}

  publish(events: readonly StoredEvent[]): void {
    this.committed$.next(events);
    this.eventBus.publishAll(events.map((e) => e.event));
  }
}
