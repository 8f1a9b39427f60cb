import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import { APPEND_GUARD, APPEND_PARAMETER_COUNT, appendStatementWith } from '../../../shared/event-store/append-statement.js';
import { insertJobsSql, jobChanges, updateJobsSql } from '../projections/jobs.projection.js';
import { deleteInputsSql, insertInputsSql, insertResultsSql, type PayloadChanges } from './job-payload-store.js';

const $ = (k: number) => `$${APPEND_PARAMETER_COUNT + k}`;

/**
 * A group commit as ONE statement: the queue's events (and any other streams' appends),
 * the jobs read model and the job payloads, all or nothing, in one round trip. As a
 * transaction it took five (BEGIN, append, jobs, payloads, COMMIT), and on a small machine
 * each round trip's system calls cost more than the SQL.
 */
export const RECORD_QUEUE = appendStatementWith(`
jobs_created AS (${insertJobsSql($(1), APPEND_GUARD)}),
jobs_changed AS (${updateJobsSql($(2), APPEND_GUARD)}),
inputs_kept AS (${insertInputsSql($(3), APPEND_GUARD)}),
results_kept AS (${insertResultsSql($(4), APPEND_GUARD)}),
inputs_dropped AS (${deleteInputsSql($(5), APPEND_GUARD)})`);

/** RECORD_QUEUE's own parameters, in order. */
export function recordQueueParams(events: readonly DomainEvent[], payloads: PayloadChanges): unknown[] {
  const { created, changed } = jobChanges(events);
  return [JSON.stringify(created), JSON.stringify(changed), JSON.stringify(payloads.inputs), JSON.stringify(payloads.results), payloads.ended];
}
