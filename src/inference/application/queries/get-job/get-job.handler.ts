import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '../../../../shared/database/database.js';
import { JobNotFoundError } from '../../../domain/inference-queue.errors.js';
import { JobRecord } from '../../../infrastructure/job.record.js';
import { toJobView } from '../job.view.js';
import { GetJobQuery } from './get-job.query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(private readonly db: Database) {}

  async execute({ jobId }: GetJobQuery) {
    // Not a UUID cannot be a job (and must not reach a uuid column as a SQL error).
    const row = UUID.test(jobId) ? await this.db.repository(JobRecord).findOneBy({ job_id: jobId }) : null;
    if (!row) throw new JobNotFoundError(jobId);
    return toJobView(row);
  }
}
