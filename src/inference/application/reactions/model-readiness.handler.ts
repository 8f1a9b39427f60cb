import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  ModelHealthChanged, ModelLoaded, ModelLoadFailed, ModelUnloaded, type LifecycleEvent,
} from '../../../lifecycle/contracts.js';
import { JobDispatcher } from '../dispatch/job-dispatcher.js';

/**
 * The lifecycle's events steer the queue: loaded or healthy again → dispatch; load failed
 * → fail the model's queued jobs; unloaded → they wait for the next lazy load.
 */
@EventsHandler(ModelLoaded, ModelLoadFailed, ModelUnloaded, ModelHealthChanged)
export class ModelReadinessHandler implements IEventHandler<LifecycleEvent> {
  private readonly logger = new Logger('InferenceReactions');

  constructor(private readonly dispatcher: JobDispatcher) {}

  handle(event: LifecycleEvent): void {
    try {
      const modelId = event.payload.model_id;
      switch (event.event_type) {
        case 'model.loaded':
          return this.dispatcher.wake(modelId);
        case 'model.health.changed':
          if (event.payload.new_state === 'loaded') this.dispatcher.wake(modelId);
          return;
        case 'model.load.failed':
          return this.dispatcher.failQueued(modelId, event.payload.error_code, event.payload.error_message);
        case 'model.unloaded':
          return this.dispatcher.wake(modelId);
      }
    } catch (err) {
      this.logger.error(`reacting to ${event.event_type}: ${err instanceof Error ? err.stack : err}`);
    }
  }
}
