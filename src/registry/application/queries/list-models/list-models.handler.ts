import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { In } from 'typeorm';
import { Database } from '../../../../shared/database/database.js';
import { ModelRecord } from '../../../infrastructure/model.record.js';
import { ModelVersionRecord } from '../../../infrastructure/model-version.record.js';
import { toModelView } from '../to-model-view.js';
import { ListModelsQuery } from './list-models.query.js';

@QueryHandler(ListModelsQuery)
export class ListModelsHandler implements IQueryHandler<ListModelsQuery> {
  constructor(private readonly db: Database) {}

  async execute({ taskType, page, pageSize }: ListModelsQuery) {
    const [models, total] = await this.db.repository(ModelRecord).findAndCount({
      where: taskType ? { task_type: taskType } : {},
      order: { model_id: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    const versions = models.length
      ? await this.db.repository(ModelVersionRecord).find({ where: { model_id: In(models.map((m) => m.model_id)) }, order: { added_at: 'ASC' } })
      : [];
    return {
      items: models.map((m) => toModelView(m, versions.filter((v) => v.model_id === m.model_id))),
      meta: { total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) },
    };
  }
}
