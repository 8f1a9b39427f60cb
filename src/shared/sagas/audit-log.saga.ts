import { Injectable, Logger } from '@nestjs/common';
import { Saga, type ICommand, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { DomainEvent } from '../domain/event-envelope.js';
import { observeEvery } from '../nest/safe-saga.js';

/** Seed §9 audit trail: a saga that only observes, writing every committed domain event as one structured log record. */
@Injectable()
export class AuditLogSaga {
  private readonly logger = new Logger('Audit');

  @Saga()
  audit = (events$: Observable<IEvent>): Observable<ICommand> =>
    observeEvery(events$, (event) => {
      if (!(event instanceof DomainEvent)) return;
      this.logger.log({
        msg: `Event: ${event.event_type}`,
        event_type: event.event_type,
        event_id: event.event_id,
        aggregate_id: event.aggregate_id,
        aggregate_type: event.aggregate_type,
        payload: event.payload,
      });
    }, this.logger);
}
