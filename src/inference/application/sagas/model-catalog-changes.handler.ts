import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ModelRegistered, ModelUnregistered, ModelUpdated, type ModelCatalogEvent } from '../../../registry/contracts.js';
import { JobDispatcher } from '../dispatch/job-dispatcher.js';
import { ModelDirectory } from '../model-directory.js';

/** Catalog changes: cached model info is dropped; an unregistered model's queued jobs fail (MODEL_NOT_FOUND). */
@EventsHandler(ModelRegistered, ModelUpdated, ModelUnregistered)
export class ModelCatalogChangesHandler implements IEventHandler<ModelCatalogEvent> {
  private readonly logger = new Logger('InferenceSagas');

  constructor(
    private readonly directory: ModelDirectory,
    private readonly dispatcher: JobDispatcher,
  ) {}

  handle(event: ModelCatalogEvent): void {
    try {
      const modelId = event.payload.model_id;
      this.directory.forget(modelId);
      if (event.event_type === 'model.unregistered') this.dispatcher.failQueued(modelId, 'MODEL_NOT_FOUND', `model ${modelId} was unregistered`);
    } catch (err) {
      this.logger.error(`reacting to ${event.event_type}: ${err instanceof Error ? err.stack : err}`);
    }
  }
}
