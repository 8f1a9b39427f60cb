import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ModelRegistered, ModelUnregistered, ModelUpdated, type ModelCatalogEvent } from '../../../registry/contracts.js';
import { unregisteredModelFailure } from '../../domain/inference-queue.errors.js';
import { JobDispatcher } from '../dispatch/job-dispatcher.js';
import { ModelDirectory } from '../model-directory.js';

/**
 * Catalog changes: cached model info is dropped; an unregistered model's queued jobs fail
 * (MODEL_NOT_FOUND). This is the one place that rule runs: model.unregistered comes first,
 * the lifecycle's unload of the model follows it.
 */
@EventsHandler(ModelRegistered, ModelUpdated, ModelUnregistered)
export class ModelCatalogChangesHandler implements IEventHandler<ModelCatalogEvent> {
  private readonly logger = new Logger('InferenceReactions');

  constructor(
    private readonly directory: ModelDirectory,
    private readonly dispatcher: JobDispatcher,
  ) {}

  handle(event: ModelCatalogEvent): void {
    try {
      const modelId = event.payload.model_id;
      this.directory.forget(modelId);
      if (event.event_type === 'model.unregistered') {
        const { error_code, error_message } = unregisteredModelFailure(modelId);
        this.dispatcher.failQueued(modelId, error_code, error_message);
      }
    } catch (err) {
      this.logger.error(`reacting to ${event.event_type}: ${err instanceof Error ? err.stack : err}`);
    }
  }
}
