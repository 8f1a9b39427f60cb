import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../shared/read-model/page.js';
import type { ModelView } from '../model.view.js';

/** Registered models, optionally of one task type, ordered by id, one page at a time. */
export class ListModelsQuery extends Query<Page<ModelView>> {
  constructor(
    readonly taskType: string | undefined,
    readonly page = 1,
    readonly pageSize = 20,
  ) {
    super();
  }
}
