import { prepared } from '../database/prepared-statement.js';
import { ConcurrencyConflictError } from '../domain/domain-error.js';
import type { EventMetadata, StreamAppend } from './stored-event.js';

/**
 * The channel every append notifies on commit: catch-up readers of every instance LISTEN to it.
 * Channels are per database: the schema is in the name, so deployments in two schemas never wake each other.
 */
export function storeNotifyChannel(schema: string): string {
  return `modelmora_events_${schema}`;
}

/**
 * The whole append as ONE statement: the expected-version check of every stream (one index
 * probe each), the multi-row insert guarded by it, and the notification sent on commit.
 * A stale check is not the only guard: a concurrent writer of the same version makes the
 * insert fail on uq_event_store_stream_version (mapped to ConcurrencyConflictError below).
 * Rows: kind 'e' = one inserted event (id, position, transaction id); kind 'c' = one stream
 * whose version did not match (nothing was inserted then). $4 is the storeNotifyChannel.
 */
export const APPEND_STATEMENT = prepared(`
WITH expected AS (
  SELECT x.aggregate_id, x.expected,
         coalesce((SELECT max(s.aggregate_version) FROM event_store s WHERE s.aggregate_id = x.aggregate_id), 0) AS actual
  FROM json_to_recordset($1::json) AS x(aggregate_id uuid, expected int)
), conflicts AS (
  SELECT aggregate_id, expected, actual FROM expected WHERE actual <> expected
), inserted AS (
  INSERT INTO event_store (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version, metadata)
  SELECT r.event_id, r.event_type, r.aggregate_id, r.aggregate_type, r.payload, r."timestamp", r.version, r.aggregate_version, r.metadata
  FROM json_to_recordset($2::json) AS r(event_id uuid, event_type varchar, aggregate_id uuid, aggregate_type varchar, payload jsonb,
                                        "timestamp" timestamp, version int, aggregate_version int, metadata jsonb)
  WHERE NOT EXISTS (SELECT 1 FROM conflicts)
  RETURNING event_id, position, transaction_id
)
SELECT 'e' AS kind, event_id::text AS id, position::text AS a, transaction_id::text AS b,
       (SELECT pg_notify($4, $3)) AS notified
FROM inserted
UNION ALL
SELECT 'c', aggregate_id::text, expected::text, actual::text, NULL FROM conflicts`);

export interface AppendRow {
  kind: 'e' | 'c';
  id: string;
  a: string;
  b: string;
}

/** The statement's three parameters; throws if two parts of one stream do not chain. */
export function appendParameters(streams: readonly StreamAppend[], instanceId: string | undefined): [string, string, string] {
  const expected: { aggregate_id: string; expected: number }[] = [];
  const next = new Map<string, number>();
  const rows: unknown[] = [];
  for (const s of streams) {
    const chained = next.get(s.aggregateId);
    if (chained === undefined) expected.push({ aggregate_id: s.aggregateId, expected: s.expectedVersion });
    else if (chained !== s.expectedVersion) throw new ConcurrencyConflictError(s.aggregateId, s.expectedVersion);
    next.set(s.aggregateId, s.expectedVersion + s.events.length);
    const metadata: EventMetadata = instanceId ? { ...s.metadata, instance_id: instanceId } : (s.metadata ?? {});
    s.events.forEach((e, i) =>
      rows.push({
        event_id: e.event_id, event_type: e.event_type, aggregate_id: e.aggregate_id, aggregate_type: e.aggregate_type,
        payload: e.payload, timestamp: e.timestamp, version: e.version, aggregate_version: s.expectedVersion + i + 1, metadata,
      }),
    );
  }
  return [JSON.stringify(expected), JSON.stringify(rows), instanceId ?? ''];
}

/** A writer of the same stream version committed between our check and our insert. */
export function asConcurrencyConflict(err: any, streams: readonly StreamAppend[]): ConcurrencyConflictError | undefined {
  if (err?.code !== '23505' || !String(err?.constraint ?? err?.message).includes('uq_event_store_stream_version')) return undefined;
  const id = /\(([0-9a-f-]{36}), \d+\)/i.exec(String(err.detail ?? ''))?.[1];
  const stream = streams.find((s) => s.aggregateId === id) ?? streams[0]!;
  return new ConcurrencyConflictError(stream.aggregateId, stream.expectedVersion);
}
