import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { CommittedEventsPublisher } from '../event-sourcing/aggregate-repository.js';
import type { StoredEvent } from '../event-store/stored-event.js';

/**
 * After a commit, the events go to the Nest EventBus: every in-process reaction is an
 * `@EventsHandler` or a `@Saga` there, infrastructure that follows the log included.
 */
@Injectable()
export class EventBusPublisher implements CommittedEventsPublisher {
  constructor(private readonly eventBus: EventBus) {}

  publish(events: readonly StoredEvent[]): void {
    this.eventBus.publishAll(events.map((e) => e.event));
  }
}
