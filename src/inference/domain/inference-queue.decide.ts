import { createEvent, type EventContext } from '../../shared/domain/event-envelope.js';
import { ModelUnhealthyError } from '../../shared/domain/model-unhealthy.error.js';
import {
  INFERENCE_QUEUE, JobAdopted, JobCancelled, JobCompleted, JobFailed, JobReleased, JobRequeued, JobStarted, JobSubmitted,
  type InferenceQueueEvent, type RequeueReason,
} from './inference-queue.events.js';
import { CannotCancelError, ModelQueueFullError, QueueFullError, TIMEOUT_MESSAGE } from './inference-queue.errors.js';
import { requestKey, type InferenceQueueState, type LiveJob } from './inference-queue.state.js';
import { validateInputs, type DeclaredInput } from './job-inputs.js';
import { NOT_READY_DELAY_MS, resolveTimeoutMs, retryDelayMs, roundMs } from './job-timing.js';
import { parsePriority } from './scheduling/priority.js';

export interface SubmitJobDecision {
  /** Made by the caller (ids come from outside the domain), so a sync caller can wait on it first. */
  job_id: string;
  model_id: string;
  /** The registered model's task type: decides how `inputs` are checked and the default timeout. */
  task_type: string;
  inputs: unknown;
  priority?: unknown;
  timeout_ms?: number | null;
  request_id?: string | null;
  /** The model's lifecycle state as routing sees it: an unhealthy model takes no new work. */
  model_state?: string;
  /** The loaded model's inputs, when known: tensor shapes are checked against them before anything is queued. */
  declared_inputs?: readonly DeclaredInput[];
}

export interface QueueLimits {
  maxQueueSize: number;
  /** Live jobs one model may hold, so a stuck model cannot fill the whole queue. */
  maxQueuedPerModel: number;
  defaultTimeoutMs: Readonly<Record<string, number>>;
}

/** A request as intake hands it to the queue. */
export interface JobRequest {
  inputs: unknown;
  priority?: unknown;
  timeout_ms?: number;
  request_id?: string;
}

/** The registered model as serving sees it now (its state, its declared inputs). */
export interface ServedModelFacts {
  model_id: string;
  task_type: string;
  state: string;
  declared_inputs: readonly DeclaredInput[] | undefined;
}

/** A request's submission, with the registered model as serving sees it now. */
export function submissionOf(jobId: string, request: JobRequest, model: ServedModelFacts): SubmitJobDecision {
  return {
    job_id: jobId, model_id: model.model_id, task_type: model.task_type, inputs: request.inputs, priority: request.priority,
    timeout_ms: request.timeout_ms, request_id: request.request_id ?? null, model_state: model.state, declared_inputs: model.declared_inputs,
  };
}

/** What a request becomes: the live job its request id already names, or a new job's job.submitted. */
export type Admission = { duplicate: LiveJob } | { submitted: JobSubmitted };

export interface FailJobDecision {
  job_id: string;
  error_code: string;
  error_message: string;
  /** Measured by the caller when it has a better number (a worker call); else time since start/submission. */
  processing_time_ms?: number;
}

type Aggregate = { id: string; type: string };
const queueOf = (id: string): Aggregate => ({ id, type: INFERENCE_QUEUE });
const sinceMs = (iso: string, ctx: EventContext) => roundMs(ctx.now.getTime() - Date.parse(iso));

/** The live job a request id already names, if any: a resubmission then returns it instead of a new job. */
export function duplicateOf(state: InferenceQueueState, modelId: string, requestId: string | null | undefined): LiveJob | undefined {
  if (!requestId) return undefined;
  const jobId = state.byRequest.get(requestKey(modelId, requestId));
  return jobId === undefined ? undefined : state.jobs.get(jobId);
}

function failed(queueId: string, job: LiveJob, d: FailJobDecision, ctx: EventContext): JobFailed {
  return createEvent(JobFailed, queueOf(queueId), {
    job_id: job.job_id, model_id: job.model_id, error_message: d.error_message,
    processing_time_ms: d.processing_time_ms ?? sinceMs(job.started_at ?? job.submitted_at, ctx), error_code: d.error_code,
  }, ctx);
}

/**
 * The queue's decisions: pure functions of (state, command, time and ids) → events.
 * Decisions about jobs that are no longer live (a completion racing a timeout, a
 * start racing a cancel) yield no event: a job ends exactly once.
 */
export const decideQueue = {
  submit(state: InferenceQueueState, queueId: string, d: SubmitJobDecision, limits: QueueLimits, ctx: EventContext): JobSubmitted[] {
    if (duplicateOf(state, d.model_id, d.request_id)) return [];
    if (d.model_state === 'unhealthy') throw new ModelUnhealthyError(d.model_id, d.model_state);
    const priority = parsePriority(d.priority);
    validateInputs(d.task_type, d.inputs, d.declared_inputs);
    const timeout_ms = resolveTimeoutMs(d.task_type, d.timeout_ms, limits.defaultTimeoutMs);
    if (state.jobs.size >= limits.maxQueueSize) throw new QueueFullError(limits.maxQueueSize);
    if ((state.perModel.get(d.model_id) ?? 0) >= limits.maxQueuedPerModel) throw new ModelQueueFullError(d.model_id, limits.maxQueuedPerModel);
    return [createEvent(JobSubmitted, queueOf(queueId), {
      job_id: d.job_id, model_id: d.model_id, priority, task_type: d.task_type, timeout_ms, request_id: d.request_id ?? null,
    }, ctx)];
  },

  /** A request for a registered model: the live job its request id names, or a new job (its id drawn from `ctx`). */
  admit(state: InferenceQueueState, queueId: string, request: JobRequest, model: ServedModelFacts, limits: QueueLimits, ctx: EventContext): Admission {
    const duplicate = duplicateOf(state, model.model_id, request.request_id);
    if (duplicate) return { duplicate };
    return { submitted: decideQueue.submit(state, queueId, submissionOf(ctx.newId(), request, model), limits, ctx)[0]! };
  },

  /** One worker call's jobs; those no longer queued (cancelled, timed out meanwhile) are left out. */
  start(state: InferenceQueueState, queueId: string, jobIds: readonly string[], ctx: EventContext): JobStarted[] {
    const startable = jobIds.map((id) => state.jobs.get(id)).filter((j): j is LiveJob => j?.status === 'queued');
    return startable.map((job) => createEvent(JobStarted, queueOf(queueId), {
      job_id: job.job_id, model_id: job.model_id, attempt: job.attempt + 1, batch_size: startable.length,
    }, ctx));
  },

  /** Only a processing job completes; anything else (already ended, never started) is ignored. */
  complete(state: InferenceQueueState, queueId: string, jobId: string, processingTimeMs: number, ctx: EventContext): JobCompleted[] {
    const job = state.jobs.get(jobId);
    if (job?.status !== 'processing') return [];
    return [createEvent(JobCompleted, queueOf(queueId), {
      job_id: jobId, model_id: job.model_id, processing_time_ms: roundMs(processingTimeMs), success: true,
    }, ctx)];
  },

  fail(state: InferenceQueueState, queueId: string, d: FailJobDecision, ctx: EventContext): JobFailed[] {
    const job = state.jobs.get(d.job_id);
    return job ? [failed(queueId, job, d, ctx)] : [];
  },

  /** Queued or running past its deadline: the caller's timer says when, the job's liveness says whether. */
  timeOut(state: InferenceQueueState, queueId: string, jobId: string, ctx: EventContext): JobFailed[] {
    const job = state.jobs.get(jobId);
    if (!job) return [];
    return [failed(queueId, job, {
      job_id: jobId, error_code: 'INFERENCE_TIMEOUT', error_message: TIMEOUT_MESSAGE, processing_time_ms: sinceMs(job.submitted_at, ctx),
    }, ctx)];
  },

  /** Only a queued job can be cancelled; the caller reports unknown and terminal jobs from the read model. */
  cancel(state: InferenceQueueState, queueId: string, jobId: string, ctx: EventContext): JobCancelled[] {
    const job = state.jobs.get(jobId);
    if (!job) throw new CannotCancelError(jobId, 'no longer queued');
    if (job.status !== 'queued') throw new CannotCancelError(jobId, job.status);
    return [createEvent(JobCancelled, queueOf(queueId), { job_id: jobId, model_id: job.model_id }, ctx)];
  },

  /**
   * A processing job whose run was lost goes back to the queue after a backoff, or
   * fails once `maxRetries` retries are used. `not_ready` uses no retry: the job's
   * own deadline bounds it.
   */
  requeue(
    state: InferenceQueueState, queueId: string,
    d: { job_id: string; reason: RequeueReason; error_message: string; max_retries: number }, ctx: EventContext,
  ): Array<JobRequeued | JobFailed> {
    const job = state.jobs.get(d.job_id);
    if (job?.status !== 'processing') return [];
    const usesRetry = d.reason !== 'not_ready';
    const retries = job.retries + (usesRetry ? 1 : 0);
    if (usesRetry && retries > d.max_retries) {
      const why = d.reason === 'interrupted' ? 'interrupted by a server restart' : d.error_message;
      return [failed(queueId, job, {
        job_id: job.job_id, error_code: 'INFERENCE_FAILED', error_message: `${why} (gave up after ${d.max_retries} retries)`,
      }, ctx)];
    }
    return [createEvent(JobRequeued, queueOf(queueId), {
      job_id: job.job_id, model_id: job.model_id, reason: d.reason, error_message: d.error_message, retries,
      delay_ms: usesRetry ? retryDelayMs(retries) : NOT_READY_DELAY_MS,
    }, ctx)];
  },

  /**
   * Takes over live jobs of a dead instance's queue (`from`): job.adopted here, and the
   * job.released events the caller appends to the old stream in the same transaction.
   */
  adopt(state: InferenceQueueState, queueId: string, from: { queueId: string; jobs: readonly LiveJob[] }, ctx: EventContext) {
    const jobs = from.jobs.filter((j) => !state.jobs.has(j.job_id));
    const adopted = jobs.map((j) => createEvent(JobAdopted, queueOf(queueId), {
      job_id: j.job_id, model_id: j.model_id, priority: j.priority, task_type: j.task_type, timeout_ms: j.timeout_ms,
      request_id: j.request_id, submitted_at: j.submitted_at, retries: j.retries, attempt: j.attempt, from_queue_id: from.queueId,
    }, ctx));
    const released = jobs.map((j) => createEvent(JobReleased, queueOf(from.queueId), {
      job_id: j.job_id, model_id: j.model_id, to_queue_id: queueId,
    }, ctx));
    return { adopted, released };
  },

  /** A job whose facts the store refused to record ends here, with a reason that the store accepts. */
  unrecordable(queueId: string, job: { job_id: string; model_id: string }, sqlState: string, ctx: EventContext): JobFailed {
    return createEvent(JobFailed, queueOf(queueId), {
      job_id: job.job_id, model_id: job.model_id, processing_time_ms: 0, error_code: 'INFERENCE_FAILED',
      error_message: `the job's record was refused by the database (SQLSTATE ${sqlState.replace(/[^0-9A-Z]/g, '')})`,
    }, ctx);
  },

  /** After a restart: every job that was running when the server stopped is queued again (or fails, out of retries). */
  recover(state: InferenceQueueState, queueId: string, maxRetries: number, ctx: EventContext): InferenceQueueEvent[] {
    const interrupted = [...state.jobs.values()].filter((j) => j.status === 'processing');
    return interrupted.flatMap((job) => decideQueue.requeue(state, queueId, {
      job_id: job.job_id, reason: 'interrupted', error_message: 'the server stopped while the job ran', max_retries: maxRetries,
    }, ctx));
  },
};
