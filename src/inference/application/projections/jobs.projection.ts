import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../shared/database/database.js';
import { prepared } from '../../../shared/database/prepared-statement.js';
import type { InlineProjection } from '../../../shared/event-sourcing/inline-projection.js';
import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import { INFERENCE_QUEUE, type InferenceQueueEvent } from '../../domain/inference-queue.events.js';

interface JobRow {
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

const COLUMNS = `job_id uuid, model_id varchar, status varchar, priority varchar, task_type varchar, request_id varchar,
  timeout_ms int, attempts int, submitted_at timestamptz, started_at timestamptz, finished_at timestamptz,
  processing_time_ms float8, error_code varchar, error_message text`;

/** New jobs from a JSON array `source` (a parameter); `guard` gates the write (an append's, see the queue's record statement). */
export const insertJobsSql = (source: string, guard = 'true') => `INSERT INTO inference_jobs (job_id, model_id, status, priority, task_type, request_id,
    timeout_ms, attempts, submitted_at, started_at, finished_at, processing_time_ms, error_code, error_message)
  SELECT job_id, model_id, status, priority, task_type, request_id, timeout_ms, coalesce(attempts, 0),
    submitted_at, started_at, finished_at, processing_time_ms, error_code, error_message
  FROM jsonb_to_recordset(${source}::jsonb) AS x(${COLUMNS})
  WHERE ${guard}`;

/** Known jobs changed by a JSON array `source`: a field the batch left unset keeps its value. */
export const updateJobsSql = (source: string, guard = 'true') => `UPDATE inference_jobs j SET
    status = coalesce(x.status, j.status),
    attempts = coalesce(x.attempts, j.attempts),
    started_at = coalesce(x.started_at, j.started_at),
    finished_at = coalesce(x.finished_at, j.finished_at),
    processing_time_ms = coalesce(x.processing_time_ms, j.processing_time_ms),
    error_code = coalesce(x.error_code, j.error_code),
    error_message = coalesce(x.error_message, j.error_message)
  FROM jsonb_to_recordset(${source}::jsonb) AS x(${COLUMNS})
  WHERE j.job_id = x.job_id AND ${guard}`;

const INSERT_JOBS = prepared(insertJobsSql('$1'));
const UPDATE_JOBS = prepared(updateJobsSql('$1'));

/**
 * A batch of events folded per job: the new jobs and the changes to known ones, the rows
 * insertJobsSql and updateJobsSql read (as JSON). A job appears in one of the two, once.
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

/**
 * Keeps `inference_jobs` in step with the queue. The live queue writes it in the statement
 * that appends its events (queue-record.statement.ts); `project` is the same writes for a
 * replay. A group commit carries many jobs, so the events are folded per job first and
 * written with one INSERT for new jobs and one UPDATE for the others, whatever the batch size.
 */
@Injectable()
export class JobsProjection implements InlineProjection {
  readonly name = 'inference.jobs';

  async project(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
    const { created, changed } = jobChanges(events.map((s) => s.event));
    if (created.length) await tx.query(INSERT_JOBS, [JSON.stringify(created)]);
    if (changed.length) await tx.query(UPDATE_JOBS, [JSON.stringify(changed)]);
  }

  async reset(tx: Tx): Promise<void> {
    await tx.query(`DELETE FROM inference_jobs`);
  }
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
