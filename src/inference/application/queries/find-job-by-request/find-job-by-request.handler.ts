import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { JobsReadModel } from '../../ports/jobs-read-model.port.js';
import { LiveQueue } from '../../ports/live-queue.port.js';
import { FindJobByRequestQuery, type JobOfRequest } from './find-job-by-request.query.js';

@QueryHandler(FindJobByRequestQuery)
export class FindJobByRequestHandler implements IQueryHandler<FindJobByRequestQuery> {
  constructor(
    private readonly queue: LiveQueue,
    private readonly jobs: JobsReadModel,
  ) {}

  async execute({ modelId, requestId }: FindJobByRequestQuery): Promise<JobOfRequest | null> {
    const live = this.queue.read((queue) => queue.duplicateOf(modelId, requestId));
    if (live) return { job_id: live.job_id, status: live.status };
    const row = await this.jobs.jobOfRequest(modelId, requestId);
    return row && { job_id: row.job_id, status: row.status };
  }
}
