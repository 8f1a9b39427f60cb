import type { JobRecord } from '../../infrastructure/job.record.js';

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
