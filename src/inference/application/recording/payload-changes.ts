import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import { INFERENCE_QUEUE, TERMINAL_JOB_EVENTS, type InferenceQueueEvent } from '../../domain/inference-queue.events.js';
import type { JobPayloads } from '../ports/live-queue.port.js';

// job.released is not among them: the adopting instance runs the job from its stored inputs.
const TERMINAL = new Set<string>(TERMINAL_JOB_EVENTS);

/** A flush's payload writes: the rows RECORD_QUEUE reads (as JSON), and the jobs whose inputs go. */
export interface PayloadChanges {
  inputs: Array<{ job_id: string; inputs: unknown }>;
  results: Array<{ job_id: string; model_id: string; outputs: unknown; created_at: string; expires_at: string }>;
  /** Jobs that ended: their inputs go. */
  ended: string[];
}

/**
 * The job inputs and results a flush's events carry (not a read model: they cannot be rebuilt from the log).
 * A job that ends in the flush it was submitted in keeps no inputs: one statement's writes share a snapshot.
 */
export function payloadChanges(events: Iterable<DomainEvent>, payloads: readonly JobPayloads[], resultTtlMs: number): PayloadChanges {
  const inputs = new Map<string, unknown>();
  const results: PayloadChanges['results'] = [];
  const ended: string[] = [];
  // One lookup per event: a group commit under load carries thousands of events and entries.
  const inputOf = merged(payloads.map((p) => p.inputs));
  const outputOf = merged(payloads.map((p) => p.outputs));
  for (const event of events) {
    if (event.aggregate_type !== INFERENCE_QUEUE) continue;
    const e = event as InferenceQueueEvent;
    const jobId = e.payload.job_id;
    if (e.event_type === 'job.submitted') {
      const value = inputOf.get(jobId);
      if (value !== undefined) inputs.set(jobId, value);
    } else if (e.event_type === 'job.completed') {
      const outputs = outputOf.get(jobId);
      if (outputs !== undefined) {
        const expires = new Date(Date.parse(e.timestamp) + resultTtlMs).toISOString();
        results.push({ job_id: jobId, model_id: e.payload.model_id, outputs, created_at: e.timestamp, expires_at: expires });
      }
    }
    if (TERMINAL.has(e.event_type)) {
      if (!inputs.delete(jobId)) ended.push(jobId);
    }
  }
  return { inputs: [...inputs].map(([job_id, value]) => ({ job_id, inputs: value })), results, ended };
}

function merged(maps: ReadonlyArray<ReadonlyMap<string, unknown> | undefined>): ReadonlyMap<string, unknown> {
  const present = maps.filter((m): m is ReadonlyMap<string, unknown> => m !== undefined && m.size > 0);
  if (present.length <= 1) return present[0] ?? new Map();
  const all = new Map<string, unknown>();
  for (const m of present) for (const [id, value] of m) if (!all.has(id)) all.set(id, value);
  return all;
}
