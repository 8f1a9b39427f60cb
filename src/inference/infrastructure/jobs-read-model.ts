import { Injectable } from '@nestjs/common';
import { Database } from '../../shared/database/database.js';
import { JobsReadModel, type JobsFilter } from '../application/ports/jobs-read-model.port.js';
import { JobResultRecord } from './job-result.record.js';
import { JobRecord } from './job.record.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class TypeOrmJobsReadModel implements JobsReadModel {
  constructor(private readonly db: Database) {}

  job(jobId: string): Promise<JobRecord | null> {
    // Not a uuid, not a job: the column would refuse the comparison.
    return UUID.test(jobId) ? this.db.repository(JobRecord).findOneBy({ job_id: jobId }) : Promise.resolve(null);
  }

  jobOfRequest(modelId: string, requestId: string): Promise<JobRecord | null> {
    return this.db.repository(JobRecord).findOne({ where: { request_id: requestId, model_id: modelId }, order: { submitted_at: 'ASC' } });
  }

  page(filter: JobsFilter, page: number, pageSize: number): Promise<[JobRecord[], number]> {
    const where: Partial<Pick<JobRecord, 'status' | 'model_id'>> = {};
    if (filter.status) where.status = filter.status;
    if (filter.modelId) where.model_id = filter.modelId;
    return this.db.repository(JobRecord).findAndCount({ where, order: { submitted_at: 'DESC', job_id: 'ASC' }, skip: (page - 1) * pageSize, take: pageSize });
  }

  result(jobId: string): Promise<JobResultRecord | null> {
    return this.db.repository(JobResultRecord).findOneBy({ job_id: jobId });
  }
}
