import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { JobsReadModel } from '../../ports/jobs-read-model.port.js';
import { toJobView } from '../job.view.js';
import { ListJobsQuery } from './list-jobs.query.js';

@QueryHandler(ListJobsQuery)
export class ListJobsHandler implements IQueryHandler<ListJobsQuery> {
  constructor(private readonly jobs: JobsReadModel) {}

  async execute({ filter, page, pageSize }: ListJobsQuery) {
    const [rows, total] = await this.jobs.page(filter, page, pageSize);
    return {
      items: rows.map(toJobView),
      meta: { total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) },
    };
  }
}
