import type { DomainEvent } from '../../shared/domain/event-envelope.js';
import type { InferenceQueueEvent } from './inference-queue.events.js';
import type { Priority } from './scheduling/priority.js';

/** A job the queue still owns. Terminal jobs leave the state (they live on in the read model). */
export interface LiveJob {
  job_id: string;
  model_id: string;
  priority: Priority;
  task_type: string;
  status: 'queued' | 'processing';
  /** ISO time of job.submitted: where the deadline and aging count from. */
  submitted_at: string;
  timeout_ms: number;
  request_id: string | null;
  started_at: string | null;
  /** Runs started so far. */
  attempt: number;
  /** Retries used (worker crashes, interruptions). */
  retries: number;
}

/**
 * Only live jobs (queued or processing), so memory, snapshots and loading stay
 * proportional to the work in flight — never to the length of the stream.
 * Maps keep submission order, which recovery uses to rebuild FIFO order.
 */
export interface InferenceQueueState {
  jobs: Map<string, LiveJob>;
  /** requestKey(model, request_id) → job_id of live jobs: idempotent submission while a job is live. */
  byRequest: Map<string, string>;
  /** Live jobs per model: one stuck model may not take more than its share of the queue. */
  perModel: Map<string, number>;
}

/** A request id names a job of ONE model: reusing it on another model is another job. */
export const requestKey = (modelId: string, requestId: string) => `${modelId}\n${requestId}`;

/** The JSON form written to `snapshots` (Maps are not JSON). */
export interface InferenceQueueSnapshot {
  jobs: LiveJob[];
}

export const emptyQueue = (): InferenceQueueState => ({ jobs: new Map(), byRequest: new Map(), perModel: new Map() });

export function toSnapshot(state: InferenceQueueState): InferenceQueueSnapshot {
  return { jobs: [...state.jobs.values()] };
}

export function fromSnapshot(snapshot: InferenceQueueSnapshot): InferenceQueueState {
  const state = emptyQueue();
  for (const job of snapshot.jobs ?? []) addJob(state, { ...job });
  return state;
}

function addJob(state: InferenceQueueState, job: LiveJob): void {
  state.jobs.set(job.job_id, job);
  if (job.request_id) state.byRequest.set(requestKey(job.model_id, job.request_id), job.job_id);
  state.perModel.set(job.model_id, (state.perModel.get(job.model_id) ?? 0) + 1);
}

/**
 * Removes a job from the live state. Also used without an event, for a submission the
 * store refused to record: the job never existed as far as the log is concerned.
 */
export function removeJob(state: InferenceQueueState, jobId: string): void {
  const job = state.jobs.get(jobId);
  if (!job) return;
  if (job.request_id) {
    const key = requestKey(job.model_id, job.request_id);
    if (state.byRequest.get(key) === jobId) state.byRequest.delete(key);
  }
  const left = (state.perModel.get(job.model_id) ?? 1) - 1;
  if (left > 0) state.perModel.set(job.model_id, left);
  else state.perModel.delete(job.model_id);
  state.jobs.delete(jobId);
}

/**
 * Applies one event. It updates `state` IN PLACE and returns it: the state belongs
 * to one aggregate instance, and copying a map of up to `maxQueueSize` jobs for
 * every event would make each event O(live jobs) instead of O(1).
 */
export function evolveQueue(state: InferenceQueueState, event: DomainEvent): InferenceQueueState {
  const e = event as InferenceQueueEvent;
  switch (e.event_type) {
    case 'job.submitted': {
      const p = e.payload;
      addJob(state, {
        job_id: p.job_id, model_id: p.model_id, priority: p.priority, task_type: p.task_type, status: 'queued',
        submitted_at: e.timestamp, timeout_ms: p.timeout_ms, request_id: p.request_id, started_at: null, attempt: 0, retries: 0,
      });
      return state;
    }
    case 'job.adopted': {
      const p = e.payload;
      addJob(state, {
        job_id: p.job_id, model_id: p.model_id, priority: p.priority, task_type: p.task_type, status: 'queued',
        submitted_at: p.submitted_at, timeout_ms: p.timeout_ms, request_id: p.request_id, started_at: null,
        attempt: p.attempt, retries: p.retries,
      });
      return state;
    }
    case 'job.started': {
      const job = state.jobs.get(e.payload.job_id);
      if (job) Object.assign(job, { status: 'processing', started_at: e.timestamp, attempt: e.payload.attempt });
      return state;
    }
    case 'job.requeued': {
      const job = state.jobs.get(e.payload.job_id);
      if (job) Object.assign(job, { status: 'queued', started_at: null, retries: e.payload.retries });
      return state;
    }
    case 'job.completed':
    case 'job.failed':
    case 'job.cancelled':
    case 'job.released':
      removeJob(state, e.payload.job_id);
      return state;
    default:
      return state;
  }
}
