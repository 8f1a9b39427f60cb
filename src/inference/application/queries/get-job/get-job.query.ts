import { Query } from '@nestjs/cqrs';
import type { JobView } from '../job.view.js';

/** One job's status; JOB_NOT_FOUND when unknown. */
export class GetJobQuery extends Query<JobView> {
  constructor(readonly jobId: string) {
    super();
  }
}
