import { Inject, Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { ModelHealthChanged } from '../../domain/model-lifecycle.events.js';
import { postAlert } from './alert-webhook.js';

/** Seed §9 notifications: a model that turned unhealthy or failed is a warning, and a webhook call when configured. */
@EventsHandler(ModelHealthChanged)
export class ModelAlertHandler implements IEventHandler<ModelHealthChanged> {
  private readonly logger = new Logger('Alerts');

  constructor(@Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions) {}

  async handle(event: ModelHealthChanged): Promise<void> {
    const { model_id, new_state, previous_state, error_message } = event.payload;
    if (new_state !== 'unhealthy' && new_state !== 'failed') return;
    const text = `Model ${model_id} ${new_state}${error_message ? `: ${error_message}` : ''}`;
    this.logger.warn({ msg: text, model_id, previous_state, new_state, event_id: event.event_id });
    await postAlert(this.options.alertWebhook, { text, event: event.toEnvelope() }, this.logger);
  }
}
