import { Delete, Get, Param, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { CancelJobCommand } from '../../application/commands/cancel-job/cancel-job.command.js';
import { GetJobResultQuery } from '../../application/queries/get-job-result/get-job-result.query.js';
import { GetJobQuery } from '../../application/queries/get-job/get-job.query.js';
import { ListJobsQuery } from '../../application/queries/list-jobs/list-jobs.query.js';
import { ListJobsDto } from './list-jobs.dto.js';

@ApiController('jobs', 'inference')
export class JobsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Jobs, newest first, by status and/or model' })
  list(@Query() q: ListJobsDto) {
    return this.queries.execute(new ListJobsQuery({ status: q.status, modelId: q.model_id }, q.page ?? 1, q.page_size ?? 20));
  }

  @Get(':job_id')
  @ApiOperation({ summary: 'One job: status, timings, error' })
  get(@Param('job_id') jobId: string) {
    return this.queries.execute(new GetJobQuery(jobId));
  }

  @Get(':job_id/result')
  @ApiOperation({ summary: "A completed job's outputs (until they expire)" })
  result(@Param('job_id') jobId: string) {
    return this.queries.execute(new GetJobResultQuery(jobId));
  }

  @Delete(':job_id')
  @ApiOperation({ summary: 'Cancel a queued job (CANNOT_CANCEL once it runs or ended)' })
  cancel(@Param('job_id') jobId: string) {
    return this.commands.execute(new CancelJobCommand(jobId));
  }
}
