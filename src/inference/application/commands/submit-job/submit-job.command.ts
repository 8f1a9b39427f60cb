import { Command } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import type { ModelServingPort } from '../../../../lifecycle/contracts.js';
import type { QueueLimits, SubmitJobDecision } from '../../../domain/inference-queue.decide.js';

export interface SubmitJobInput {
  model_id: string;
  /** Task-specific: named tensors for `tensor`, a string or strings for `txt2embed`. */
  inputs: unknown;
  priority?: string;
  timeout_ms?: number;
  /** Idempotency key: a second submission with the same key returns the first job. */
  request_id?: string;
}

export interface SubmittedJob {
  job_id: string;
  status: string;
  /** True when `request_id` matched an earlier submission and no new job was made. */
  duplicate: boolean;
}

/** Queue an inference job; the caller gets its id at once (the async path). */
export class SubmitJobCommand extends Command<SubmittedJob> {
  constructor(readonly input: SubmitJobInput) {
    super();
  }
}

/** What the queue decides a submission on: the input, the registered model, and the model's state as serving sees it. */
export function submissionOf(
  input: SubmitJobInput, model: { model_id: string; task_type: string }, jobId: string, serving: Pick<ModelServingPort, 'state' | 'declaredInputs'>,
): SubmitJobDecision {
  return {
    job_id: jobId, model_id: model.model_id, task_type: model.task_type, inputs: input.inputs, priority: input.priority,
    timeout_ms: input.timeout_ms, request_id: input.request_id ?? null, model_state: serving.state(model.model_id),
    declared_inputs: serving.declaredInputs(model.model_id),
  };
}

export const queueLimits = (o: ModelMoraOptions): QueueLimits => ({ maxQueueSize: o.maxQueueSize, maxQueuedPerModel: o.maxQueuedPerModel, defaultTimeoutMs: o.defaultTimeoutMs });
