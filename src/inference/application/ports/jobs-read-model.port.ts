import type { JobRecord } from '../../infrastructure/job.record.js';
import type { JobResultRecord } from '../../infrastructure/job-result.record.js';

export interface JobsFilter {
  status?: string;
  modelId?: string;
}

/** The `inference_jobs` and `inference_job_results` tables as the queries read them (TypeOrmJobsReadModel). */
export abstract class JobsReadModel {
  abstract job(jobId: string): Promise<JobRecord | null>;
  /** The first job a request id named for a model. */
  abstract jobOfRequest(modelId: string, requestId: string): Promise<JobRecord | null>;
  abstract page(filter: JobsFilter, page: number, pageSize: number): Promise<[JobRecord[], number]>;
  abstract result(jobId: string): Promise<JobResultRecord | null>;
}
