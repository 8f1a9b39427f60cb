import { Query } from '@nestjs/cqrs';
import type { JobResultView } from '../job.view.js';

/** A completed job's outputs; JOB_NOT_FOUND, or RESULT_NOT_FOUND while it runs, after it failed or once expired. */
export class GetJobResultQuery extends Query<JobResultView> {
  constructor(readonly jobId: string) {
    super();
  }
}
