import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { EventContextFactory } from '../../../../shared/nest/event-context.factory.js';
import { JobsReadModel } from '../../ports/jobs-read-model.port.js';
import { GetJobQuery } from '../get-job/get-job.query.js';
import type { JobResultView } from '../job.view.js';
import { GetJobResultQuery } from './get-job-result.query.js';

@QueryHandler(GetJobResultQuery)
export class GetJobResultHandler implements IQueryHandler<GetJobResultQuery> {
  constructor(
    private readonly jobs: JobsReadModel,
    private readonly clock: EventContextFactory,
    private readonly queries: QueryBus,
  ) {}

  async execute({ jobId }: GetJobResultQuery): Promise<JobResultView> {
    const job = await this.queries.execute(new GetJobQuery(jobId));
    if (job.status !== 'completed') {
      throw new DomainError('RESULT_NOT_FOUND', `job ${jobId} is ${job.status}: it has no result`, {
        job_id: jobId, status: job.status, ...(job.error_code ? { error_code: job.error_code, error_message: job.error_message } : {}),
      });
    }
    const row = await this.jobs.result(jobId);
    if (!row || row.expires_at.getTime() <= this.clock.now().getTime()) {
      throw new DomainError('RESULT_NOT_FOUND', `the result of job ${jobId} has expired`, { job_id: jobId, status: job.status });
    }
    return {
      job_id: jobId, model_id: row.model_id, status: 'completed', outputs: row.outputs, processing_time_ms: job.processing_time_ms,
      completed_at: row.created_at.toISOString(), expires_at: row.expires_at.toISOString(),
    };
  }
}
