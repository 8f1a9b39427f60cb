import { DomainError } from '../../../shared/domain/domain-error.js';
import type { DomainEvent, EventContext } from '../../../shared/domain/event-envelope.js';
import type { StreamAppend } from '../../../shared/event-store/stored-event.js';
import type { InferenceQueue } from '../inference-queue.aggregate.js';
import type { JobPayloads } from '../ports/live-queue.port.js';

/** One decision's share of a group commit. */
export interface Entry {
  events: DomainEvent[];
  payloads: JobPayloads;
  /** Appends to other streams that commit with these events (a takeover's job.released). */
  also: StreamAppend[];
  settle: { resolve: () => void; reject: (err: unknown) => void };
}

const ENTERING = new Set(['job.submitted', 'job.adopted']);

/**
 * When the database refuses one entry alone: a job it brought in (submitted, adopted) is forgotten, as if never
 * submitted (the caller drops its events still waiting); a job already on record gets a replacement job.failed.
 */
export function refuseEntry(entry: Entry, err: unknown, queue: InferenceQueue, ctx: EventContext): { forgotten: Set<string>; replacement?: Entry } {
  const sqlState = String((err as { code?: unknown })?.code ?? 'unknown');
  const forgotten = new Set(entry.events.filter((e) => ENTERING.has(e.event_type)).map((e) => e.payload.job_id as string));
  for (const id of forgotten) queue.forget(id);
  const onRecord = new Map<string, string>();
  for (const e of entry.events) {
    const id = e.payload.job_id as string;
    if (!forgotten.has(id)) onRecord.set(id, e.payload.model_id as string);
  }
  entry.settle.reject(new DomainError('VALIDATION_ERROR', `the job could not be recorded: the database refused it (SQLSTATE ${sqlState})`));
  if (onRecord.size === 0) return { forgotten };
  const events = [...onRecord].map(([job_id, model_id]) => queue.unrecordable({ job_id, model_id }, sqlState, ctx));
  queue.uncommit();
  return { forgotten, replacement: { events, payloads: {}, also: [], settle: { resolve: () => {}, reject: () => {} } } };
}
