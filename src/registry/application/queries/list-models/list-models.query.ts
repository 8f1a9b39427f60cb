import { Query } from '@nestjs/cqrs';
import type { ModelView } from '../model.view.js';

export interface Page<T> {
  items: T[];
  meta: { total: number; page: number; page_size: number; total_pages: number };
}

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
