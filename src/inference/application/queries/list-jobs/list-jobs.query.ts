import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../shared/read-model/page.js';
import type { JobView } from '../job.view.js';

/** Jobs, newest first, optionally of one status and/or model, one page at a time. */
export class ListJobsQuery extends Query<Page<JobView>> {
  constructor(
    readonly filter: { status?: string; modelId?: string },
    readonly page = 1,
    readonly pageSize = 20,
  ) {
    super();
  }
}
