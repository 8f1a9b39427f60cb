import { DomainError } from '../../shared/domain/domain-error.js';

export class QueueFullError extends DomainError {
  constructor(maxQueueSize: number) {
    super('QUEUE_FULL', `the inference queue is full (${maxQueueSize} live jobs); retry later`, { max_queue_size: maxQueueSize });
  }
}

export class ModelQueueFullError extends DomainError {
  constructor(modelId: string, share: number) {
    super('QUEUE_FULL', `model ${modelId} already holds its share of the queue (${share} live jobs); retry later`, { model_id: modelId, max_queued_per_model: share });
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, details);
  }
}

export class CannotCancelError extends DomainError {
  constructor(jobId: string, status: string) {
    super('CANNOT_CANCEL', `job ${jobId} is ${status}: only a queued job can be cancelled`, { job_id: jobId, status });
  }
}

export class JobNotFoundError extends DomainError {
  constructor(jobId: string) {
    super('JOB_NOT_FOUND', `no job ${jobId}`, { job_id: jobId });
  }
}

export class InferenceTimeoutError extends DomainError {
  constructor(jobId: string, message = 'Inference timeout') {
    super('INFERENCE_TIMEOUT', message, { job_id: jobId });
  }
}

/** The message of a timed-out job, as in the seed's example event. */
export const TIMEOUT_MESSAGE = 'Inference timeout';

/** A model left the catalog: its queued jobs can never run, so they fail as for an unknown model. */
export function unregisteredModelFailure(modelId: string): { error_code: string; error_message: string } {
  return { error_code: 'MODEL_NOT_FOUND', error_message: `model ${modelId} was unregistered` };
}

/** A job that did not complete reaches its caller as its failure in the error language. */
export function jobError(jobId: string, code: string, message: string): DomainError {
  return new DomainError(code, message, { job_id: jobId });
}
