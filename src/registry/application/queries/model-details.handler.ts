import { Injectable } from '@nestjs/common';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetModelQuery } from './get-model/get-model.query.js';
import { ModelDetailsQuery, type ModelDetailsContributor } from './model-details.query.js';

/** Contexts register here what they add to a model's details. */
@Injectable()
export class ModelDetailsContributors {
  readonly list: ModelDetailsContributor[] = [];
}

@QueryHandler(ModelDetailsQuery)
export class ModelDetailsHandler implements IQueryHandler<ModelDetailsQuery> {
  constructor(
    private readonly queries: QueryBus,
    private readonly contributors: ModelDetailsContributors,
  ) {}

  async execute({ modelId }: ModelDetailsQuery) {
    const model = await this.queries.execute(new GetModelQuery(modelId));
    const parts = await Promise.all(this.contributors.list.map((c) => c.contribute(modelId)));
    return Object.assign({}, model, ...parts);
  }
}
