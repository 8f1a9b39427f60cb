import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import type { Tx } from '../../../shared/database/database.js';
import { prepared } from '../../../shared/database/prepared-statement.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { INFERENCE_QUEUE, TERMINAL_JOB_EVENTS, type InferenceQueueEvent } from '../../domain/inference-queue.events.js';

// job.released is not among them: the adopting instance runs the job from its stored inputs.
const TERMINAL = new Set<string>(TERMINAL_JOB_EVENTS);

const INSERT_INPUTS = prepared(`INSERT INTO inference_job_inputs (job_id, inputs)
  SELECT job_id, inputs FROM jsonb_to_recordset($1::jsonb) AS x(job_id uuid, inputs jsonb)
  ON CONFLICT (job_id) DO NOTHING`);

const INSERT_RESULTS = prepared(`INSERT INTO inference_job_results (job_id, model_id, outputs, created_at, expires_at)
  SELECT job_id, model_id, outputs, created_at, expires_at
  FROM jsonb_to_recordset($1::jsonb) AS x(job_id uuid, model_id varchar, outputs jsonb, created_at timestamptz, expires_at timestamptz)
  ON CONFLICT (job_id) DO NOTHING`);

const DELETE_INPUTS = prepared(`DELETE FROM inference_job_inputs WHERE job_id = ANY($1::uuid[])`);

/** What a decision hands the recorder besides its events: the data the events deliberately leave out. */
export interface JobPayloads {
  /** An async job's inputs: stored with its job.submitted, so an acknowledged job can always run again. */
  inputs?: ReadonlyMap<string, unknown>;
  /** A completed job's outputs, kept until they expire (async jobs; sync ones only when configured). */
  outputs?: ReadonlyMap<string, unknown>;
}

/**
 * Writes job inputs and results in the transaction that appends their events, and drops
 * the inputs of jobs that ended. Not a read model: it cannot be rebuilt from the log.
 */
@Injectable()
export class JobPayloadStore {
  constructor(@Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions) {}

  async write(tx: Tx, stored: readonly StoredEvent[], payloads: readonly JobPayloads[]): Promise<void> {
    const inputs: Array<{ job_id: string; inputs: unknown }> = [];
    const results: Array<{ job_id: string; model_id: string; outputs: unknown; created_at: string; expires_at: string }> = [];
    const ended: string[] = [];
    // One lookup per event: a group commit under load carries thousands of events and entries.
    const inputOf = merged(payloads.map((p) => p.inputs));
    const outputOf = merged(payloads.map((p) => p.outputs));
    for (const { event } of stored) {
      if (event.aggregate_type !== INFERENCE_QUEUE) continue;
      const e = event as InferenceQueueEvent;
      const jobId = e.payload.job_id;
      if (e.event_type === 'job.submitted') {
        const value = inputOf.get(jobId);
        if (value !== undefined) inputs.push({ job_id: jobId, inputs: value });
      } else if (e.event_type === 'job.completed') {
        const outputs = outputOf.get(jobId);
        if (outputs !== undefined) {
          const expires = new Date(Date.parse(e.timestamp) + this.options.resultTtlMs).toISOString();
          results.push({ job_id: jobId, model_id: e.payload.model_id, outputs, created_at: e.timestamp, expires_at: expires });
        }
      }
      if (TERMINAL.has(e.event_type)) ended.push(jobId);
    }
    if (inputs.length) await tx.query(INSERT_INPUTS, [JSON.stringify(inputs)]);
    if (results.length) await tx.query(INSERT_RESULTS, [JSON.stringify(results)]);
    if (ended.length) await tx.query(DELETE_INPUTS, [ended]);
  }
}

function merged(maps: ReadonlyArray<ReadonlyMap<string, unknown> | undefined>): ReadonlyMap<string, unknown> {
  const present = maps.filter((m): m is ReadonlyMap<string, unknown> => m !== undefined && m.size > 0);
  if (present.length <= 1) return present[0] ?? new Map();
  const all = new Map<string, unknown>();
  for (const m of present) for (const [id, value] of m) if (!all.has(id)) all.set(id, value);
  return all;
}
