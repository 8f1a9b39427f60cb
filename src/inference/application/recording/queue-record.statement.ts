import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import { APPEND_GUARD, appendStatement } from '../../../shared/event-store/append-statement.js';
import { namedStatement } from '../../../shared/event-store/named-statement.js';
import { jobChanges } from '../projections/job-rows.js';
import type { PayloadChanges } from './payload-changes.js';

const JOB_COLUMNS = `job_id uuid, model_id varchar, status varchar, priority varchar, task_type varchar, request_id varchar,
  timeout_ms int, attempts int, submitted_at timestamptz, started_at timestamptz, finished_at timestamptz,
  processing_time_ms float8, error_code varchar, error_message text`;

/** The jobs read model's writes (rows from jobChanges, as JSON), gated by `guard`: the live statement's and the replay's. */
const jobWrites = (guard: string) => ({
  jobs_created: `INSERT INTO inference_jobs (job_id, model_id, status, priority, task_type, request_id,
      timeout_ms, attempts, submitted_at, started_at, finished_at, processing_time_ms, error_code, error_message)
    SELECT job_id, model_id, status, priority, task_type, request_id, timeout_ms, coalesce(attempts, 0),
      submitted_at, started_at, finished_at, processing_time_ms, error_code, error_message
    FROM jsonb_to_recordset($jobs_created::jsonb) AS x(${JOB_COLUMNS})
    WHERE ${guard}`,
  // A field the batch left unset keeps its value.
  jobs_changed: `UPDATE inference_jobs j SET
      status = coalesce(x.status, j.status),
      attempts = coalesce(x.attempts, j.attempts),
      started_at = coalesce(x.started_at, j.started_at),
      finished_at = coalesce(x.finished_at, j.finished_at),
      processing_time_ms = coalesce(x.processing_time_ms, j.processing_time_ms),
      error_code = coalesce(x.error_code, j.error_code),
      error_message = coalesce(x.error_message, j.error_message)
    FROM jsonb_to_recordset($jobs_changed::jsonb) AS x(${JOB_COLUMNS})
    WHERE j.job_id = x.job_id AND ${guard}`,
});

/** Job inputs kept for async jobs, results kept for completed ones, inputs dropped for jobs that ended. */
const payloadWrites = (guard: string) => ({
  inputs_kept: `INSERT INTO inference_job_inputs (job_id, inputs)
    SELECT job_id, inputs FROM jsonb_to_recordset($inputs_kept::jsonb) AS x(job_id uuid, inputs jsonb)
    WHERE ${guard}
    ON CONFLICT (job_id) DO NOTHING`,
  results_kept: `INSERT INTO inference_job_results (job_id, model_id, outputs, created_at, expires_at)
    SELECT job_id, model_id, outputs, created_at, expires_at
    FROM jsonb_to_recordset($results_kept::jsonb) AS x(job_id uuid, model_id varchar, outputs jsonb, created_at timestamptz, expires_at timestamptz)
    WHERE ${guard}
    ON CONFLICT (job_id) DO NOTHING`,
  inputs_dropped: `DELETE FROM inference_job_inputs WHERE job_id = ANY($inputs_dropped::uuid[]) AND ${guard}`,
});

type JobParameter = 'jobs_created' | 'jobs_changed';
type RecordParameter = JobParameter | 'inputs_kept' | 'results_kept' | 'inputs_dropped';

/**
 * A group commit as ONE statement: the queue's events (and any other streams' appends), the
 * jobs read model and the job payloads, all or nothing, in one round trip. As a transaction
 * it took five (BEGIN, append, jobs, payloads, COMMIT), each costing more than its SQL.
 */
export const RECORD_QUEUE = appendStatement<RecordParameter>({
  writes: { ...jobWrites(APPEND_GUARD), ...payloadWrites(APPEND_GUARD) },
  parameters: ['jobs_created', 'jobs_changed', 'inputs_kept', 'results_kept', 'inputs_dropped'],
});

/** The same jobs writes for a replay (JobsProjection), inside the rebuild's transaction. */
export const REPLAY_JOBS = namedStatement<JobParameter>(
  `WITH ${Object.entries(jobWrites('true')).map(([name, sql]) => `${name} AS (${sql})`).join(', ')} SELECT 1`,
  ['jobs_created', 'jobs_changed'],
);

/** The jobs read model's parameters for a batch of events. */
export function jobParameters(events: Iterable<DomainEvent>): Record<JobParameter, string> {
  const { created, changed } = jobChanges(events);
  return { jobs_created: JSON.stringify(created), jobs_changed: JSON.stringify(changed) };
}

/** RECORD_QUEUE's own parameters, by name. */
export function recordQueueParameters(events: readonly DomainEvent[], payloads: PayloadChanges): Record<RecordParameter, unknown> {
  return {
    ...jobParameters(events),
    inputs_kept: JSON.stringify(payloads.inputs),
    results_kept: JSON.stringify(payloads.results),
    inputs_dropped: payloads.ended,
  };
}
