import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { RunInferenceCommand } from '../../application/commands/run-inference/run-inference.command.js';
import { SubmitJobCommand } from '../../application/commands/submit-job/submit-job.command.js';
import { InferRequestDto } from './infer-request.dto.js';
import { InferRequestPipe, type InferBody } from './infer-request.pipe.js';

/** `{model_id}` is `owner/name`, sent URL-encoded (`owner%2Fname`). The body is checked once, by InferRequestPipe. */
@ApiController('infer', 'inference', { ownPipes: true })
export class InferenceController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':model_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Synchronous inference: waits for the job and returns its outputs' })
  @ApiBody({ type: InferRequestDto })
  async infer(@Param('model_id') modelId: string, @Body(InferRequestPipe) dto: InferBody) {
    const { job_id, outputs, processing_time_ms } = await this.commands.execute(new RunInferenceCommand({ model_id: modelId, ...dto }));
    return { job_id, outputs, processing_time_ms };
  }

  @Post(':model_id/async')
  @HttpCode(202)
  @ApiOperation({ summary: 'Asynchronous inference: queues a durable job and returns its id' })
  @ApiBody({ type: InferRequestDto })
  async submit(@Param('model_id') modelId: string, @Body(InferRequestPipe) dto: InferBody) {
    const { job_id, status } = await this.commands.execute(new SubmitJobCommand({ model_id: modelId, ...dto }));
    return { job_id, status };
  }
}
