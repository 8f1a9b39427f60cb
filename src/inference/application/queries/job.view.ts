import type { LiveJob } from '../../domain/inference-queue.state.js';
import type { JobRecord } from '../../infrastructure/job.record.js';
import type { DispatchJob } from '../ports/job-dispatch.port.js';
import type { JobEnd } from '../ports/job-outcomes.port.js';

/** A job as the API shows it. */
export interface JobView {
  job_id: string;
  model_id: string;
  status: string;
  priority: string;
  task_type: string;
  request_id: string | null;
  timeout_ms: number;
  attempts: number;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  processing_time_ms: number | null;
  error_code: string | null;
  error_message: string | null;
}

export interface JobResultView {
  job_id: string;
  model_id: string;
  status: 'completed';
  outputs: unknown;
  processing_time_ms: number | null;
  completed_at: string;
  expires_at: string;
}

export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled'];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toJobView(r: JobRecord): JobView {
  return {
    job_id: r.job_id, model_id: r.model_id, status: r.status, priority: r.priority, task_type: r.task_type,
    request_id: r.request_id, timeout_ms: r.timeout_ms, attempts: r.attempts,
    submitted_at: iso(r.submitted_at)!, started_at: iso(r.started_at), finished_at: iso(r.finished_at),
    processing_time_ms: r.processing_time_ms === null ? null : Number(r.processing_time_ms),
    error_code: r.error_code, error_message: r.error_message,
  };
}

/** A live job from the queue's memory (it may not be recorded yet). */
export function liveJobView(j: LiveJob): JobView {
  return {
    job_id: j.job_id, model_id: j.model_id, status: j.status, priority: j.priority, task_type: j.task_type, request_id: j.request_id,
    timeout_ms: j.timeout_ms, attempts: j.attempt, submitted_at: j.submitted_at, started_at: j.started_at, finished_at: null,
    processing_time_ms: null, error_code: null, error_message: null,
  };
}

/** A job whose end is known in memory but not recorded yet. */
export function endedJobView(job: DispatchJob, end: JobEnd, row: JobRecord | null): JobView {
  const base = row ? toJobView(row) : {
    job_id: job.job_id, model_id: job.model_id, priority: job.priority, task_type: job.task_type, request_id: null,
    timeout_ms: job.deadlineAtMs - job.submittedAtMs, attempts: 1, submitted_at: new Date(job.submittedAtMs).toISOString(), started_at: null,
  };
  return {
    ...base, status: end.status, finished_at: end.at, attempts: end.status === 'completed' ? Math.max(1, base.attempts) : base.attempts,
    processing_time_ms: 'processing_time_ms' in end ? end.processing_time_ms : null,
    error_code: end.status === 'failed' ? end.error_code : null, error_message: end.status === 'failed' ? end.error_message : null,
  };
}
