import { DomainEvent } from '../../shared/domain/event-envelope.js';
import type { Priority } from './scheduling/priority.js';

export const INFERENCE_QUEUE = 'inference_queue';

/** Seed fields first (job_id, model_id, priority); inputs are NOT here: they live in `inference_job_inputs`. */
export interface JobSubmittedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  priority: Priority;
  task_type: string;
  /** The job fails with INFERENCE_TIMEOUT this long after `timestamp`, queued or running. */
  timeout_ms: number;
  /** Idempotency key of the submission, when the client gave one. */
  request_id: string | null;
}

export class JobSubmitted extends DomainEvent<JobSubmittedPayload> {
  static readonly eventType = 'job.submitted';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.submitted';
}

export interface JobStartedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  /** 1 for the first run; a retry after a worker crash or a restart counts up. */
  attempt: number;
  /** How many jobs went to the worker in the same call. */
  batch_size: number;
}

export class JobStarted extends DomainEvent<JobStartedPayload> {
  static readonly eventType = 'job.started';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.started';
}

/** Outputs are NOT here: they live in `inference_job_results`, written in the same transaction. */
export interface JobCompletedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  processing_time_ms: number;
  success: true;
}

export class JobCompleted extends DomainEvent<JobCompletedPayload> {
  static readonly eventType = 'job.completed';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.completed';
}

export interface JobFailedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  error_message: string;
  processing_time_ms: number;
  /** The stable error language (INFERENCE_TIMEOUT, INFERENCE_FAILED, INVALID_INPUT, LOAD_FAILED, …). */
  error_code: string;
}

export class JobFailed extends DomainEvent<JobFailedPayload> {
  static readonly eventType = 'job.failed';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.failed';
}

export class JobCancelled extends DomainEvent<{ job_id: string; model_id: string }> {
  static readonly eventType = 'job.cancelled';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.cancelled';
}

/**
 * Why a processing job went back to the queue. `worker_exited` and `interrupted`
 * (the server stopped while it ran) use up one retry; `not_ready` (the model was
 * unloaded between dispatch and the worker call) does not.
 */
export type RequeueReason = 'worker_exited' | 'interrupted' | 'not_ready';

export interface JobRequeuedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  reason: RequeueReason;
  error_message: string;
  /** Retries used so far, this one included. */
  retries: number;
  /** Backoff before the job may run again. */
  delay_ms: number;
}

export class JobRequeued extends DomainEvent<JobRequeuedPayload> {
  static readonly eventType = 'job.requeued';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.requeued';
}

/**
 * A live job of a dead instance's queue, taken over by this queue (scale-out). It keeps
 * its original submission time (deadline, aging) and the retries it used.
 */
export interface JobAdoptedPayload extends Record<string, unknown> {
  job_id: string;
  model_id: string;
  priority: Priority;
  task_type: string;
  timeout_ms: number;
  request_id: string | null;
  submitted_at: string;
  retries: number;
  attempt: number;
  from_queue_id: string;
}

export class JobAdopted extends DomainEvent<JobAdoptedPayload> {
  static readonly eventType = 'job.adopted';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.adopted';
}

/** The job left this queue for another instance's (see job.adopted): a late result from here is fenced off. */
export class JobReleased extends DomainEvent<{ job_id: string; model_id: string; to_queue_id: string }> {
  static readonly eventType = 'job.released';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'job.released';
}

export const inferenceQueueEvents = [JobSubmitted, JobStarted, JobCompleted, JobFailed, JobCancelled, JobRequeued, JobAdopted, JobReleased];
export type InferenceQueueEvent =
  | JobSubmitted | JobStarted | JobCompleted | JobFailed | JobCancelled | JobRequeued | JobAdopted | JobReleased;
export const TERMINAL_JOB_EVENTS = ['job.completed', 'job.failed', 'job.cancelled'] as const;
