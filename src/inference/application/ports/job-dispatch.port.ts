import type { InferenceInput } from '../../../lifecycle/contracts.js';
import type { JobSubmitted } from '../../domain/inference-queue.events.js';
import type { Priority } from '../../domain/scheduling/priority.js';
import type { QueueTicket } from '../../domain/scheduling/priority-queue.js';
import type { JobOutcome } from './job-outcomes.port.js';
import type { ModelInfo } from './known-models.port.js';

/** A live job as the dispatcher holds it: with its inputs, ready to go to a worker. */
export interface DispatchJob {
  readonly job_id: string;
  readonly model_id: string;
  readonly priority: Priority;
  readonly task_type: string;
  readonly inputs: InferenceInput;
  readonly submittedAtMs: number;
  readonly deadlineAtMs: number;
  /** A caller holds the connection: its inputs are not stored, nor (by default) its outputs. */
  readonly sync: boolean;
  /** Its place in its lane's queue while queued (stale after): how it is cancelled, without a lookup by id. */
  queueTicket?: QueueTicket;
}

/** A job the log holds (live, or just submitted), with its inputs, in the dispatcher's form. */
export function dispatchJobOf(
  job: { job_id: string; model_id: string; priority: Priority; task_type: string; submitted_at: string; timeout_ms: number },
  inputs: InferenceInput,
  sync = false,
): DispatchJob {
  const submittedAtMs = Date.parse(job.submitted_at);
  return {
    job_id: job.job_id, model_id: job.model_id, priority: job.priority, task_type: job.task_type, inputs,
    submittedAtMs, deadlineAtMs: submittedAtMs + job.timeout_ms, sync,
  };
}

/** The catalog's facts a job was admitted with: its model's config sets the lane's batching. */
export type AdmittedModel = Pick<ModelInfo, 'config'>;

/** Routes decided jobs to their model's worker (JobDispatcher); `recorded` is the submission's commit (its callers are dropped if the store refuses it). */
export abstract class JobDispatch {
  /** A sync job: queued now; resolves with its outputs when it ends (rejects with its failure as a DomainError). */
  abstract run(submitted: JobSubmitted, inputs: unknown, recorded: Promise<void>, model: AdmittedModel): Promise<JobOutcome>;
  /** An async job: queued now; its callers poll for it. */
  abstract enqueue(submitted: JobSubmitted, inputs: unknown, recorded: Promise<void>, model: AdmittedModel): void;
  /** Cancels a queued job (CANNOT_CANCEL otherwise); resolves once the cancellation is recorded. */
  abstract cancel(jobId: string): Promise<void>;
}
