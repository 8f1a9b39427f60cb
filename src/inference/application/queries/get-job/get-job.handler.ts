import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '../../../../shared/database/database.js';
import { JobNotFoundError } from '../../../domain/inference-queue.errors.js';
import { JobRecord } from '../../../infrastructure/job.record.js';
import { JobLedger } from '../../jobs/job-ledger.js';
import { QueueRecorder } from '../../recording/queue-recorder.js';
import { endedJobView, liveJobView, toJobView, type JobView } from '../job.view.js';
import { GetJobQuery } from './get-job.query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Memory first (a live job, or a sync job's end not yet recorded: sync jobs are recorded write-behind), then the read model. */
@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(
    private readonly db: Database,
    private readonly recorder: QueueRecorder,
    private readonly ledger: JobLedger,
  ) {}

  async execute({ jobId }: GetJobQuery): Promise<JobView> {
    const live = this.recorder.read((queue) => queue.job(jobId));
    if (live) return liveJobView(live);
    // A sync job's end shows before its record; an async job's only once recorded, with its result.
    const ended = this.ledger.isSync(jobId) ? this.ledger.endOf(jobId) : undefined;
    const row = UUID.test(jobId) ? await this.db.repository(JobRecord).findOneBy({ job_id: jobId }) : null;
    if (ended && (!row || !['completed', 'failed', 'cancelled'].includes(row.status))) return endedJobView(ended.job, ended.end, row);
    if (!row) throw new JobNotFoundError(jobId);
    return toJobView(row);
  }
}
