import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';
import { DomainEvent } from '../domain/event-envelope.js';

/**
 * Seed §9 audit trail: every domain event, once committed, as one structured log record
 * (one JSON line with the standalone server's JSON logger; the host's logger otherwise).
 */
@Injectable()
export class AuditLogHandler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private subscription?: Subscription;

  constructor(private readonly eventBus: EventBus) {}

  onModuleInit(): void {
    this.subscription = this.eventBus.subscribe((event) => {
      if (!(event instanceof DomainEvent)) return;
      this.logger.log({
        msg: `Event: ${event.event_type}`,
        event_type: event.event_type,
        event_id: event.event_id,
        aggregate_id: event.aggregate_id,
        aggregate_type: event.aggregate_type,
        payload: event.payload,
      });
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
