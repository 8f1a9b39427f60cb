import { Inject, Injectable } from '@nestjs/common';
import type { Tx } from '../../../shared/database/database.js';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import type { InlineProjection } from '../../../shared/event-sourcing/inline-projection.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { INFERENCE_QUEUE, TERMINAL_JOB_EVENTS, type InferenceQueueEvent } from '../../domain/inference-queue.events.js';
import { PendingPayloads } from '../flush-payloads.js';

const TERMINAL = new Set<string>(TERMINAL_JOB_EVENTS);

/**
 * Writes what the events deliberately leave out — a submitted job's inputs, a completed
 * job's outputs — in the very transaction that appends those events, so an
 * acknowledged job always has its inputs on disk and a completed job its result.
 * The data comes from the writer's current flush (`PendingPayloads`), never from the log.
 *
 * Not a read model: it cannot be rebuilt from events, so `reset` keeps the rows and a
 * replay (where no payloads are pending) only deletes the inputs of ended jobs.
 */
@Injectable()
export class JobPayloadsProjection implements InlineProjection {
  readonly name = 'inference.job-payloads';

  constructor(
    private readonly pending: PendingPayloads,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async project(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
    const payloads = this.pending.current;
    const inputs: Array<{ job_id: string; inputs: unknown }> = [];
    const results: Array<{ job_id: string; model_id: string; outputs: unknown; created_at: string; expires_at: string }> = [];
    const ended: string[] = [];
    for (const { event } of events) {
      if (event.aggregate_type !== INFERENCE_QUEUE) continue;
      const e = event as InferenceQueueEvent;
      const jobId = e.payload.job_id;
      if (e.event_type === 'job.submitted' && payloads?.inputs.has(jobId)) inputs.push({ job_id: jobId, inputs: payloads.inputs.get(jobId) });
      if (e.event_type === 'job.completed' && payloads?.outputs.has(jobId)) {
        const at = Date.parse(e.timestamp);
        results.push({
          job_id: jobId, model_id: e.payload.model_id, outputs: payloads.outputs.get(jobId),
          created_at: e.timestamp, expires_at: new Date(at + this.options.resultTtlMs).toISOString(),
        });
      }
      if (TERMINAL.has(e.event_type)) ended.push(jobId);
    }
    if (inputs.length) {
      await tx.query(
        `INSERT INTO inference_job_inputs (job_id, inputs)
         SELECT job_id, inputs FROM jsonb_to_recordset($1::jsonb) AS x(job_id uuid, inputs jsonb)
         ON CONFLICT (job_id) DO NOTHING`,
        [JSON.stringify(inputs)],
      );
    }
    if (results.length) {
      await tx.query(
        `INSERT INTO inference_job_results (job_id, model_id, outputs, created_at, expires_at)
         SELECT job_id, model_id, outputs, created_at, expires_at
         FROM jsonb_to_recordset($1::jsonb) AS x(job_id uuid, model_id varchar, outputs jsonb, created_at timestamptz, expires_at timestamptz)
         ON CONFLICT (job_id) DO NOTHING`,
        [JSON.stringify(results)],
      );
    }
    if (ended.length) await tx.query(`DELETE FROM inference_job_inputs WHERE job_id = ANY($1::uuid[])`, [ended]);
  }

  async reset(): Promise<void> {
    // Inputs and results are not derived from the log: a rebuild must not lose them.
  }
}
