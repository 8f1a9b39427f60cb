import { Get, Headers, Query, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { ApiController } from '../../http/api-controller.decorator.js';
import { PostgresEventStore } from '../../event-store/event-store.js';
import { DomainError } from '../../domain/domain-error.js';
import { CommitSignal } from './commit-signal.js';
import { SseChannel, SseChannels } from './sse-channel.js';

export class StreamEventsDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() aggregate_id?: string;
  @ApiPropertyOptional({ example: 'model.loaded' }) @IsOptional() @IsString() @Length(1, 255) event_type?: string;
  @ApiPropertyOptional({ description: "events whose payload's model_id is this" }) @IsOptional() @IsString() @Length(1, 255) model_id?: string;
  @ApiPropertyOptional({ default: 0, description: 'start after this position (Last-Event-ID wins)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) after_position?: number;
  @ApiPropertyOptional({ description: 'start this many positions before the head instead (recent history, then live)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100_000) tail?: number;
}

const PAGE = 500;
/** Other instances' appends never reach this process's publisher: look now and then anyway. */
const POLL_MS = 2_000;

/**
 * The event log live, as server-sent events: `id:` is the event's position and `data:` its
 * seed envelope. Reads the store from the start position, then follows new commits, so a
 * client that reconnects with `Last-Event-ID` gets exactly what it missed.
 */
@ApiController('events', 'events')
export class EventsStreamController implements BeforeApplicationShutdown {
  private readonly channels = new SseChannels();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly commits: CommitSignal,
  ) {}

  @Get('stream')
  @ApiOperation({ summary: 'Stored events as server-sent events, then live; resumes from Last-Event-ID' })
  async stream(@Query() q: StreamEventsDto, @Headers('last-event-id') lastEventId: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    let cursor = await this.startPosition(q, lastEventId);
    const channel = this.channels.add(new SseChannel(req, res));
    let wake: () => void = () => undefined;
    let pending = false;
    // Only the "something was committed" signal is used here: the store is the source of truth.
    const unlisten = this.commits.listen(() => {
      pending = true;
      wake();
    });
    void channel.closed.then(() => wake());
    try {
      while (channel.isOpen) {
        pending = false;
        const batch = await this.store.readAll({ afterPosition: cursor, limit: PAGE, aggregateId: q.aggregate_id, eventType: q.event_type });
        for (const stored of batch) {
          const envelope = stored.event.toEnvelope();
          cursor = stored.position;
          if (q.model_id && (envelope.payload as { model_id?: unknown }).model_id !== q.model_id) continue;
          channel.send(envelope, { id: stored.position });
        }
        if (batch.length === PAGE || pending) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, POLL_MS);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          wake = done;
        });
      }
    } catch (err) {
      // Headers are gone already: say it as an SSE error frame, then end the stream.
      channel.send({ error_code: 'INTERNAL_ERROR', message: `event stream failed: ${(err as Error).message}` }, { event: 'error' });
    } finally {
      unlisten();
      channel.end();
    }
  }

  beforeApplicationShutdown(): void {
    this.channels.endAll();
  }

  private async startPosition(q: StreamEventsDto, lastEventId: string | undefined): Promise<number> {
    if (lastEventId !== undefined && lastEventId !== '') {
      if (!/^\d{1,15}$/.test(lastEventId)) throw new DomainError('VALIDATION_ERROR', 'Last-Event-ID must be an event position (a non-negative integer)');
      return Number(lastEventId);
    }
    if (q.after_position !== undefined) return q.after_position;
    if (q.tail !== undefined) return Math.max(0, (await this.store.headPosition()) - q.tail);
    return 0;
  }
}
