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
 * What follows when the database refuses one entry on its own. A job it brought in
 * (submitted, adopted) is forgotten: for the log it never existed, and its later
 * events are skipped (`refused`). A job already on record ends with a job.failed the
 * database accepts, so no recorded job stays live forever. Returns that replacement.
 */
export function refuseEntry(entry: Entry, err: unknown, queue: InferenceQueue, refused: Set<string>, ctx: EventContext): Entry | undefined {
  const sqlState = String((err as { code?: unknown })?.code ?? 'unknown');
  const entering = new Set(entry.events.filter((e) => ENTERING.has(e.event_type)).map((e) => e.payload.job_id as string));
  for (const id of entering) {
    refused.add(id);
    queue.forget(id);
  }
  const onRecord = new Map<string, string>();
  for (const e of entry.events) {
    const id = e.payload.job_id as string;
    if (!entering.has(id) && !refused.has(id)) onRecord.set(id, e.payload.model_id as string);
  }
  entry.settle.reject(new DomainError('VALIDATION_ERROR', `the job could not be recorded: the database refused it (SQLSTATE ${sqlState})`));
  if (onRecord.size === 0) return undefined;
  const events = [...onRecord].map(([job_id, model_id]) => queue.unrecordable({ job_id, model_id }, sqlState, ctx));
  queue.uncommit();
  return { events, payloads: {}, also: [], settle: { resolve: () => {}, reject: () => {} } };
}
