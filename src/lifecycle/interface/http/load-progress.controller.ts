import { Get, Query, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { nodeRequest, takeNodeResponse, type HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { SseChannel, SseChannels } from '../../../shared/http/sse-channel.js';
import { LoadProgressBoard } from '../../application/load-progress/load-progress.board.js';

export class LoadProgressQueryDto {
  @ApiPropertyOptional({ description: 'only this model' }) @IsOptional() @IsString() @Length(1, 255) model_id?: string;
}

/** Model downloads under way, live (server-sent events `progress`): bytes, total, rate, ETA. */
@ApiController('loads', 'lifecycle')
export class LoadProgressController implements BeforeApplicationShutdown {
  private readonly channels = new SseChannels();

  constructor(private readonly board: LoadProgressBoard) {}

  beforeApplicationShutdown(): void {
    this.channels.endAll();
  }

  @Get('progress')
  @ApiOperation({ summary: 'Downloads of model files under way now' })
  current(@Query() q: LoadProgressQueryDto) {
    return { items: this.board.current(q.model_id) };
  }

  @Get('progress/stream')
  @ApiOperation({ summary: 'Download progress of model loads as server-sent events (event: progress)' })
  stream(@Query() q: LoadProgressQueryDto, @Req() req: HttpRequest, @Res() res: object): void {
    const channel = this.channels.add(new SseChannel(nodeRequest(req), takeNodeResponse(res)));
    for (const p of this.board.current(q.model_id)) channel.send(p, { event: 'progress' });
    const subscription = this.board.updates$.subscribe((p) => {
      if (!q.model_id || p.model_id === q.model_id) channel.send(p, { event: 'progress' });
    });
    void channel.closed.then(() => subscription.unsubscribe());
  }
}
