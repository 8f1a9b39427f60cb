import { Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ApiController } from '../edge/api-controller.decorator.js';
import { PostgresEventStore } from '../../event-store/event-store.js';
import { cursorOf, formatCursor, START_OF_STORE, type StoredEvent } from '../../event-store/stored-event.js';
import { REQUEST_LIMITS } from '../edge/request-limits.js';
import { cursorParameter, IsCursor } from './event-cursor.js';

export class ListEventsDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() aggregate_id?: string;
  @ApiPropertyOptional({ example: 'model.registered' }) @IsOptional() @IsString() @Length(1, 255) event_type?: string;
  @ApiPropertyOptional({ description: 'the page after this cursor (next_cursor of the previous page); from the start without it' })
  @IsOptional() @IsCursor() after?: string;
  @ApiPropertyOptional({ description: 'deprecated: events after this position, in position order; can step over an event committed late (use after)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(REQUEST_LIMITS.maxPosition) after_position?: number;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

/**
 * The audit trail: the seed envelopes exactly as stored, in the readers' order (commit order
 * between transactions); `next_cursor` pages onwards and never steps over an event.
 */
@ApiController('events', 'events')
export class EventsController {
  constructor(private readonly store: PostgresEventStore) {}

  @Get()
  @ApiOperation({ summary: 'Stored events (seed envelopes), in order; page with next_cursor' })
  async list(@Query() q: ListEventsDto) {
    const filter = { aggregateId: q.aggregate_id, eventType: q.event_type };
    const limit = q.limit ?? 100;
    if (q.after === undefined && q.after_position !== undefined) {
      // Old clients: position order, as before; they page on with next_position.
      const stored = await this.store.readByPosition(q.after_position, limit, filter);
      return { items: stored.map((s) => s.event.toEnvelope()), next_position: stored.at(-1)?.position ?? q.after_position };
    }
    const after = q.after !== undefined ? cursorParameter(q.after, 'after') : START_OF_STORE;
    const stored = await this.store.readSettled(after, limit, filter);
    const last: StoredEvent | undefined = stored.at(-1);
    return {
      items: stored.map((s) => s.event.toEnvelope()),
      next_cursor: formatCursor(last ? cursorOf(last) : after),
      // For display and old clients: the last item's position.
      next_position: last?.position ?? after.position,
    };
  }
}
