import { Module, type OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../shared/domain/event-type-registry.js';
import { ProjectionRegistry } from '../shared/nest/projection-registry.js';
import { modelCatalogEvents } from './domain/model-catalog.events.js';
import { CatalogCommandRunner } from './application/catalog-command-runner.js';
import { RegisterModelHandler } from './application/commands/register-model/register-model.handler.js';
import { AddModelVersionHandler } from './application/commands/add-model-version/add-model-version.handler.js';
import { UpdateModelHandler } from './application/commands/update-model/update-model.handler.js';
import { UnregisterModelHandler } from './application/commands/unregister-model/unregister-model.handler.js';
import { GetModelHandler } from './application/queries/get-model/get-model.handler.js';
import { ListModelsHandler } from './application/queries/list-models/list-models.handler.js';
import { ModelDetailsContributors, ModelDetailsHandler } from './application/queries/model-details.handler.js';
import { ModelCatalogProjection } from './application/projections/model-catalog.projection.js';
import { ModelsController } from './interface/http/models.controller.js';

/** The registry context: the model catalog, its read model and its REST API. */
@Module({
  controllers: [ModelsController],
  providers: [
    CatalogCommandRunner,
    RegisterModelHandler, AddModelVersionHandler, UpdateModelHandler, UnregisterModelHandler,
    GetModelHandler, ListModelsHandler, ModelDetailsHandler, ModelDetailsContributors,
    ModelCatalogProjection,
  ],
  exports: [ModelDetailsContributors, ModelCatalogProjection],
})
export class RegistryModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
    private readonly projection: ModelCatalogProjection,
  ) {
    // Before any aggregate loads: the registry must know how to revive our events.
    this.events.register(...modelCatalogEvents);
  }

  onModuleInit(): void {
    this.projections.add(this.projection);
  }
}
