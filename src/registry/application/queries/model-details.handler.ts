import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { QueryBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GetModelQuery } from './get-model/get-model.query.js';
import { ModelDetailsContributor, ModelDetailsQuery, type ModelDetailsPart } from './model-details.query.js';

@QueryHandler(ModelDetailsQuery)
@Injectable()
export class ModelDetailsHandler implements IQueryHandler<ModelDetailsQuery>, OnApplicationBootstrap {
  private parts: ModelDetailsPart[] = [];

  constructor(
    private readonly queries: QueryBus,
    private readonly discovery: DiscoveryService,
  ) {}

  onApplicationBootstrap(): void {
    this.parts = this.discovery
      .getProviders({ metadataKey: ModelDetailsContributor.KEY })
      .map((w) => w.instance as ModelDetailsPart)
      .filter((p) => p !== undefined);
  }

  async execute({ modelId }: ModelDetailsQuery) {
    const model = await this.queries.execute(new GetModelQuery(modelId));
    const parts = await Promise.all(this.parts.map((p) => p.detailsOf(modelId)));
    return Object.assign({}, model, ...parts);
  }
}
