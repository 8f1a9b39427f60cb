import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ModelUnregistered } from '../../../registry/contracts.js';
import { isRunning } from '../../domain/model-state.js';
import { ModelFileCache } from '../../infrastructure/model-files/index.js';
import { ManagedModels } from '../managed-models.js';
import { LoadsInFlight } from '../loads-in-flight.js';
import { ModelUnloader } from '../model-unloader.js';

/** model.unregistered → stop the model's worker, then remove its cached files: one handler, because files go only once no worker holds them open. */
@EventsHandler(ModelUnregistered)
export class RetireUnregisteredModelHandler implements IEventHandler<ModelUnregistered> {
  private readonly logger = new Logger('Lifecycle');

  constructor(
    private readonly models: ManagedModels,
    private readonly unloader: ModelUnloader,
    private readonly inFlight: LoadsInFlight,
    private readonly files: ModelFileCache,
  ) {}

  async handle(event: ModelUnregistered): Promise<void> {
    const modelId = event.payload.model_id;
    try {
      await this.inFlight.settled(modelId);
      if (isRunning(this.models.state(modelId))) await this.unloader.unload(modelId, 'unregistered');
    } catch (err) {
      this.logger.error(`unloading unregistered ${modelId}: ${err}`);
    }
    try {
      await this.files.remove(modelId);
      this.logger.log({ msg: 'cached model files removed', model_id: modelId });
    } catch (err) {
      this.logger.error(`removing cached files of ${modelId}: ${err}`);
    }
  }
}
