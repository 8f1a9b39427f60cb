import { Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { StoreTail } from '../../cluster/store-tail.js';
import type { ModelMoraOptions } from '../../config/modelmora-options.js';
import { DomainError } from '../../domain/domain-error.js';
import { PostgresEventStore } from '../../event-store/event-store.js';
import { START_OF_STORE, type StoreCursor } from '../../event-store/stored-event.js';
import { nodeRequest, takeNodeResponse, type HttpRequest } from '../adapter/node-exchange.js';
import { ApiController } from '../edge/api-controller.decorator.js';
import { REQUEST_LIMITS } from '../edge/request-limits.js';
import { MODELMORA_OPTIONS } from '../../nest/tokens.js';
import { CatchUpPages } from './catch-up-pages.js';
import { cursorParameter, IsCursor } from './event-cursor.js';
import { LiveEventStream } from './live-event-stream.js';
import { EventStreamClients } from './event-stream-clients.js';
import { SseChannel } from '../sse-channel.js';

export class StreamEventsDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() aggregate_id?: string;
  @ApiPropertyOptional({ example: 'model.loaded' }) @IsOptional() @IsString() @Length(1, 255) event_type?: string;
  @ApiPropertyOptional({ description: "events whose payload's model_id is this" }) @IsOptional() @IsString() @Length(1, 255) model_id?: string;
  @ApiPropertyOptional({ description: 'start after this cursor (an `id:` of this stream, `next_cursor` of /events); Last-Event-ID wins' })
  @IsOptional() @IsCursor() after?: string;
  @ApiPropertyOptional({ description: 'deprecated: start after this position; may repeat events, never skips one (use after)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(REQUEST_LIMITS.maxPosition) after_position?: number;
  @ApiPropertyOptional({ description: 'start this many events before the head instead (recent history, then live)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100_000) tail?: number;
}

/**
 * The event log live, as server-sent events: `id:` is the event's cursor (opaque), `data:`
 * its seed envelope. History comes from the store, new events from the process's one
 * StoreTail; a client that reconnects with `Last-Event-ID` gets exactly what it missed.
 */
@ApiController('events', 'events')
export class EventsStreamController {
  private readonly pages: CatchUpPages;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly tail: StoreTail,
    private readonly channels: EventStreamClients,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    this.pages = new CatchUpPages(store);
  }

  @Get('stream')
  @ApiOperation({ summary: 'Stored events as server-sent events, then live; resumes from Last-Event-ID' })
  async stream(@Query() q: StreamEventsDto, @Headers('last-event-id') lastEventId: string | undefined, @Req() req: HttpRequest, @Res() res: object): Promise<void> {
    if (!this.channels.reserve()) {
      throw new DomainError('SERVICE_UNAVAILABLE', `this server already streams events to ${this.options.maxStreamClients} clients (MODELMORA_MAX_STREAM_CLIENTS); retry later`);
    }
    let channel: SseChannel | undefined;
    try {
      const from = await this.startCursor(q, lastEventId);
      channel = this.channels.add(new SseChannel(nodeRequest(req), takeNodeResponse(res), { heartbeatMs: this.options.streamHeartbeatMs }));
      const filter = { aggregateId: q.aggregate_id, eventType: q.event_type, modelId: q.model_id };
      await new LiveEventStream(this.tail, this.pages, channel, filter, this.options.streamClientBufferKb * 1024, from).follow();
    } catch (err) {
      if (!channel) throw err; // before the headers: the error filter answers
      // Headers are gone already: say it as an SSE error frame, then end the stream.
      channel.send({ error_code: 'INTERNAL_ERROR', message: `event stream failed: ${(err as Error).message}` }, { event: 'error' });
    } finally {
      if (channel) channel.end();
      else this.channels.release();
    }
  }

  private async startCursor(q: StreamEventsDto, lastEventId: string | undefined): Promise<StoreCursor> {
    if (lastEventId !== undefined && lastEventId !== '') return this.resumePoint(lastEventId);
    if (q.after !== undefined) return cursorParameter(q.after, 'after');
    if (q.after_position !== undefined) return this.store.cursorAfterPosition(q.after_position);
    if (q.tail !== undefined) return this.tail.before(q.tail) ?? this.store.cursorBeforeHead(q.tail);
    return START_OF_STORE;
  }

  /** A cursor this stream sent, or an older client's bare position (resumed conservatively: repeats, never skips). */
  private async resumePoint(lastEventId: string): Promise<StoreCursor> {
    if (/^\d{1,16}$/.test(lastEventId) && Number(lastEventId) <= REQUEST_LIMITS.maxPosition) return this.store.cursorAfterPosition(Number(lastEventId));
    return cursorParameter(lastEventId, 'Last-Event-ID');
  }
}
