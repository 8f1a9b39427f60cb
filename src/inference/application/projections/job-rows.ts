import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import { INFERENCE_QUEUE, type InferenceQueueEvent } from '../../domain/inference-queue.events.js';

/** One row of `inference_jobs`, or the fields an event changes in it. */
export interface JobRow {
  job_id: string;
  model_id?: string;
  status?: string;
  priority?: string;
  task_type?: string;
  request_id?: string | null;
  timeout_ms?: number;
  attempts?: number;
  submitted_at?: string;
  started_at?: string;
  finished_at?: string;
  processing_time_ms?: number;
  error_code?: string;
  error_message?: string;
}

/**
 * A batch of events folded per job: the new jobs and the changes to known ones. A job
 * appears in one of the two, once, so one INSERT and one UPDATE write any batch.
 */
export function jobChanges(events: Iterable<DomainEvent>): { created: JobRow[]; changed: JobRow[] } {
  const rows = new Map<string, JobRow>();
  const created = new Set<string>();
  for (const event of events) {
    if (event.aggregate_type !== INFERENCE_QUEUE) continue;
    const e = event as InferenceQueueEvent;
    const id = e.payload.job_id;
    const row = rows.get(id) ?? { job_id: id };
    rows.set(id, Object.assign(row, patchOf(e)));
    if (e.event_type === 'job.submitted') created.add(id);
  }
  const all = [...rows.values()];
  return { created: all.filter((r) => created.has(r.job_id)), changed: all.filter((r) => !created.has(r.job_id)) };
}

function patchOf(e: InferenceQueueEvent): Partial<JobRow> {
  switch (e.event_type) {
    case 'job.submitted': {
      const p = e.payload;
      return {
        model_id: p.model_id, status: 'queued', priority: p.priority, task_type: p.task_type, request_id: p.request_id,
        timeout_ms: p.timeout_ms, attempts: 0, submitted_at: e.timestamp,
      };
    }
    case 'job.started':
      return { status: 'processing', started_at: e.timestamp, attempts: e.payload.attempt };
    case 'job.requeued':
      return { status: 'queued' };
    case 'job.completed':
      return { status: 'completed', finished_at: e.timestamp, processing_time_ms: e.payload.processing_time_ms };
    case 'job.failed':
      return {
        status: 'failed', finished_at: e.timestamp, processing_time_ms: e.payload.processing_time_ms,
        error_code: e.payload.error_code, error_message: e.payload.error_message,
      };
    case 'job.cancelled':
      return { status: 'cancelled', finished_at: e.timestamp };
    case 'job.adopted':
      return { status: 'queued' };
    case 'job.released':
      return {};
    default: {
      const never: never = e;
      return never;
    }
  }
}
