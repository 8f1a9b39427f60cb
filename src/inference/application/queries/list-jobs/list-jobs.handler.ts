import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '../../../../shared/database/database.js';
import { JobRecord } from '../../../infrastructure/job.record.js';
import { toJobView } from '../job.view.js';
import { ListJobsQuery } from './list-jobs.query.js';

@QueryHandler(ListJobsQuery)
export class ListJobsHandler implements IQueryHandler<ListJobsQuery> {
  constructor(private readonly db: Database) {}

  async execute({ filter, page, pageSize }: ListJobsQuery) {
    const where: Partial<Pick<JobRecord, 'status' | 'model_id'>> = {};
    if (filter.status) where.status = filter.status;
    if (filter.modelId) where.model_id = filter.modelId;
    const [rows, total] = await this.db.repository(JobRecord).findAndCount({
      where,
      order: { submitted_at: 'DESC', job_id: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return {
      items: rows.map(toJobView),
      meta: { total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) },
    };
  }
}
