import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CatalogCommandRunner } from './application/catalog-command-runner.js';
import { RegisterModelHandler } from './application/commands/register-model/register-model.handler.js';
import { AddModelVersionHandler } from './application/commands/add-model-version/add-model-version.handler.js';
import { UpdateModelHandler } from './application/commands/update-model/update-model.handler.js';
import { UnregisterModelHandler } from './application/commands/unregister-model/unregister-model.handler.js';
import { GetModelHandler } from './application/queries/get-model/get-model.handler.js';
import { ListModelsHandler } from './application/queries/list-models/list-models.handler.js';
import { ModelDetailsHandler } from './application/queries/model-details.handler.js';
import { ModelsController } from './interface/http/models.controller.js';

/**
 * The registry context: the model catalog and its REST API. Its events, read model and
 * tables reach the kernel as `registryFeature`; other contexts use `contracts.ts`.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [ModelsController],
  providers: [
    CatalogCommandRunner,
    RegisterModelHandler, AddModelVersionHandler, UpdateModelHandler, UnregisterModelHandler,
    GetModelHandler, ListModelsHandler, ModelDetailsHandler,
  ],
})
export class RegistryModule {}
