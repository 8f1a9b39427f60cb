import { Query } from '@nestjs/cqrs';
import type { ModelView } from '../model.view.js';

/** One registered model with its versions; MODEL_NOT_FOUND when absent. */
export class GetModelQuery extends Query<ModelView> {
  constructor(readonly modelId: string) {
    super();
  }
}
