import { DomainError } from './domain-error.js';

/**
 * A model that is unhealthy or failed takes no work. Both contexts say it: the lifecycle's
 * serving port refuses a batch, the inference queue refuses a submission. It lives in the
 * kernel so that the inference domain can raise it without importing another context.
 */
export class ModelUnhealthyError extends DomainError {
  constructor(modelId: string, state: string) {
    super('MODEL_UNHEALTHY', `model ${modelId} is ${state}: no jobs are routed to it until it recovers`, { model_id: modelId, state });
  }
}
