import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Database } from '../../../../shared/database/database.js';
import { ModelNotFoundError } from '../../../domain/model-catalog.errors.js';
import { ModelRecord } from '../../../infrastructure/model.record.js';
import { ModelVersionRecord } from '../../../infrastructure/model-version.record.js';
import { toModelView } from '../to-model-view.js';
import { GetModelQuery } from './get-model.query.js';

@QueryHandler(GetModelQuery)
export class GetModelHandler implements IQueryHandler<GetModelQuery> {
  constructor(private readonly db: Database) {}

  async execute({ modelId }: GetModelQuery) {
    const model = await this.db.repository(ModelRecord).findOneBy({ model_id: modelId });
    if (!model) throw new ModelNotFoundError(modelId);
    const versions = await this.db.repository(ModelVersionRecord).find({ where: { model_id: modelId }, order: { added_at: 'ASC' } });
    return toModelView(model, versions);
  }
}
