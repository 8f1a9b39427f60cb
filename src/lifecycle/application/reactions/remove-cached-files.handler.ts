import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ModelUnregistered } from '../../../registry/contracts.js';
import { ModelFileCache } from '../../infrastructure/model-files/index.js';

/**
 * model.unregistered → the model's cached files go (every version). A worker still
 * running keeps its open files until the unregister saga stops it; a load in flight
 * finishes first (the cache waits for it).
 */
@EventsHandler(ModelUnregistered)
export class RemoveCachedFilesHandler implements IEventHandler<ModelUnregistered> {
  private readonly logger = new Logger('ModelFiles');

  constructor(private readonly files: ModelFileCache) {}

  async handle(event: ModelUnregistered): Promise<void> {
    const modelId = event.payload.model_id;
    try {
      await this.files.remove(modelId);
      this.logger.log({ msg: 'cached model files removed', model_id: modelId });
    } catch (err) {
      this.logger.error(`removing cached files of ${modelId}: ${err}`);
    }
  }
}
