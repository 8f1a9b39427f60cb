import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { JobNotFoundError } from '../../../domain/inference-queue.errors.js';
import { JobOutcomes } from '../../ports/job-outcomes.port.js';
import { JobsReadModel } from '../../ports/jobs-read-model.port.js';
import { LiveQueue } from '../../ports/live-queue.port.js';
import { endedJobView, liveJobView, toJobView, type JobView } from '../job.view.js';
import { GetJobQuery } from './get-job.query.js';

/** Memory first (a live job, or a sync job's end not yet recorded: sync jobs are recorded write-behind), then the read model. */
@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(
    private readonly queue: LiveQueue,
    private readonly outcomes: JobOutcomes,
    private readonly jobs: JobsReadModel,
  ) {}

  async execute({ jobId }: GetJobQuery): Promise<JobView> {
    const live = this.queue.read((queue) => queue.job(jobId));
    if (live) return liveJobView(live);
    // A sync job's end shows before its record; an async job's only once recorded, with its result.
    const ended = this.outcomes.isSync(jobId) ? this.outcomes.endOf(jobId) : undefined;
    const row = await this.jobs.job(jobId);
    if (ended && (!row || !['completed', 'failed', 'cancelled'].includes(row.status))) return endedJobView(ended.job, ended.end, row);
    if (!row) throw new JobNotFoundError(jobId);
    return toJobView(row);
  }
}
