import { Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ApiController } from '../../http/api-controller.decorator.js';
import { PostgresEventStore } from '../../event-store/event-store.js';
import { REQUEST_LIMITS } from '../../http/request-limits.js';

export class ListEventsDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() aggregate_id?: string;
  @ApiPropertyOptional({ example: 'model.registered' }) @IsOptional() @IsString() @Length(1, 255) event_type?: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(REQUEST_LIMITS.maxPosition) after_position?: number;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

/** The audit trail: the seed envelopes exactly as stored, in global order; `next_position` pages onwards. */
@ApiController('events', 'events')
export class EventsController {
  constructor(private readonly store: PostgresEventStore) {}

  @Get()
  @ApiOperation({ summary: 'Stored events (seed envelopes), in order' })
  async list(@Query() q: ListEventsDto) {
    const stored = await this.store.readAll({
      afterPosition: q.after_position ?? 0,
      limit: q.limit ?? 100,
      aggregateId: q.aggregate_id,
      eventType: q.event_type,
    });
    return {
      items: stored.map((s) => s.event.toEnvelope()),
      next_position: stored.length ? stored[stored.length - 1]!.position : (q.after_position ?? 0),
    };
  }
}
