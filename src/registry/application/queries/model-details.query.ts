import { Query } from '@nestjs/cqrs';
import type { ModelView } from './model.view.js';

/**
 * A model as API clients see it: the registry's view plus what other contexts know of it
 * (lifecycle state, I/O metadata), each contributed through `ModelDetailsContributor`s.
 */
export class ModelDetailsQuery extends Query<ModelView & Record<string, unknown>> {
  constructor(readonly modelId: string) {
    super();
  }
}

/** Another context's part of a model's details (keys it adds to the response). */
export interface ModelDetailsContributor {
  contribute(modelId: string): Promise<Record<string, unknown>>;
}
