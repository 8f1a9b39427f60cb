import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../registry/application/queries/list-models/list-models.query.js';
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
