import { Body, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { LoadModelCommand } from '../../application/commands/load-model/load-model.command.js';
import { UnloadModelCommand } from '../../application/commands/unload-model/unload-model.command.js';
import { WarmupModelCommand } from '../../application/commands/warmup-model/warmup-model.command.js';
import { LifecycleStatus } from '../../application/queries/lifecycle-status.js';

export class LoadModelDto {
  @ApiPropertyOptional({ description: 'defaults to the latest version' }) @IsOptional() @IsString() @Length(1, 64) version?: string;
}

@ApiController('models', 'lifecycle')
export class LifecycleController {
  constructor(
    private readonly commands: CommandBus,
    private readonly status: LifecycleStatus,
  ) {}

  @Post(':model_id/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model into its own worker process (evicting LRU models if needed)' })
  async load(@Param('model_id') modelId: string, @Body() dto: LoadModelDto) {
    await this.commands.execute(new LoadModelCommand(modelId, dto?.version));
    return this.status.entry(modelId);
  }

  @Post(':model_id/unload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unload a model: graceful shutdown of its worker, then SIGKILL' })
  async unload(@Param('model_id') modelId: string) {
    await this.commands.execute(new UnloadModelCommand(modelId, 'manual'));
    return this.status.entry(modelId);
  }

  @Post(':model_id/warmup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one throw-away inference on a loaded model' })
  warmup(@Param('model_id') modelId: string) {
    return this.commands.execute(new WarmupModelCommand(modelId));
  }
}

@ApiController('status', 'lifecycle')
export class StatusController {
  constructor(private readonly status: LifecycleStatus) {}

  @Get()
  @ApiOperation({ summary: 'Loaded models (state, version, pid, memory, last use, uptime) and totals against the budget' })
  get() {
    return this.status.status();
  }
}
