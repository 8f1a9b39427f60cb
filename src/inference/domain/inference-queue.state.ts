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
  /** request_id → job_id of live jobs: idempotent submission while a job is live. */
  byRequest: Map<string, string>;
}

/** The JSON form written to `snapshots` (Maps are not JSON). */
export interface InferenceQueueSnapshot {
  jobs: LiveJob[];
}

export const emptyQueue = (): InferenceQueueState => ({ jobs: new Map(), byRequest: new Map() });

export function toSnapshot(state: InferenceQueueState): InferenceQueueSnapshot {
  return { jobs: [...state.jobs.values()] };
}

export function fromSnapshot(snapshot: InferenceQueueSnapshot): InferenceQueueState {
  const state = emptyQueue();
  for (const job of snapshot.jobs ?? []) {
    state.jobs.set(job.job_id, { ...job });
    if (job.request_id) state.byRequest.set(job.request_id, job.job_id);
  }
  return state;
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
      state.jobs.set(p.job_id, {
        job_id: p.job_id, model_id: p.model_id, priority: p.priority, task_type: p.task_type, status: 'queued',
        submitted_at: e.timestamp, timeout_ms: p.timeout_ms, request_id: p.request_id, started_at: null, attempt: 0, retries: 0,
      });
      if (p.request_id) state.byRequest.set(p.request_id, p.job_id);
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
    case 'job.cancelled': {
      const job = state.jobs.get(e.payload.job_id);
      if (job?.request_id && state.byRequest.get(job.request_id) === job.job_id) state.byRequest.delete(job.request_id);
      state.jobs.delete(e.payload.job_id);
      return state;
    }
    default:
      return state;
  }
}

/** Milliseconds since the epoch at which a live job times out. */
export function deadlineOf(job: LiveJob): number {
  return Date.parse(job.submitted_at) + job.timeout_ms;
}
