import { ConcurrencyConflictError } from '../domain/domain-error.js';
import { namedStatement, type NamedStatement } from './named-statement.js';
import type { EventMetadata, StreamAppend } from './stored-event.js';

/**
 * The channel every append notifies on commit: catch-up readers of every instance LISTEN to it.
 * Channels are per database: the schema is in the name, so deployments in two schemas never wake each other.
 */
export function storeNotifyChannel(schema: string): string {
  return `modelmora_events_${schema}`;
}

/** The condition every write of an append statement carries: no stream's version check failed. */
export const APPEND_GUARD = 'NOT EXISTS (SELECT 1 FROM conflicts)';

/** The append's own parameters; a context's writes name theirs differently. */
export type AppendParameter = 'expected' | 'events' | 'snapshots' | 'appended_by' | 'notify_channel';
const APPEND_PARAMETERS: readonly AppendParameter[] = ['expected', 'events', 'snapshots', 'appended_by', 'notify_channel'];

/**
 * The whole append as ONE statement: each stream's version check, the insert it guards, the
 * snapshots and the commit notification. The insert's lock on event_store is the writer's
 * announcement to readers (settled-horizon.ts); a racing writer fails on uq_event_store_stream_version.
 */
const APPEND_HEAD = `
WITH expected AS (
  SELECT x.aggregate_id, x.expected,
         coalesce((SELECT max(s.aggregate_version) FROM event_store s WHERE s.aggregate_id = x.aggregate_id), 0) AS actual
  FROM json_to_recordset($expected::json) AS x(aggregate_id uuid, expected int)
), conflicts AS (
  SELECT aggregate_id, expected, actual FROM expected WHERE actual <> expected
), inserted AS (
  INSERT INTO event_store (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version, metadata)
  SELECT (r->>0)::uuid, r->>1, (r->>2)::uuid, r->>3, r->4, (r->>5)::timestamp, (r->>6)::int, (r->>7)::int, r->8
  FROM jsonb_array_elements($events::jsonb) AS r
  WHERE ${APPEND_GUARD}
  RETURNING event_id, position, transaction_id
), snapshotted AS (
  INSERT INTO snapshots (aggregate_id, aggregate_type, aggregate_version, schema_version, state, taken_at)
  SELECT s.aggregate_id, s.aggregate_type, s.aggregate_version, s.schema_version, s.state, now()
  FROM json_to_recordset($snapshots::json) AS s(aggregate_id uuid, aggregate_type varchar, aggregate_version int, schema_version int, state jsonb)
  WHERE ${APPEND_GUARD}
  ON CONFLICT (aggregate_id) DO UPDATE SET aggregate_version = EXCLUDED.aggregate_version,
    schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, taken_at = EXCLUDED.taken_at
)`;

/** Rows: kind 'e' = one inserted event (id, position, transaction id); kind 'c' = a stream whose version did not match (nothing was written). */
const APPEND_TAIL = `
SELECT 'e' AS kind, event_id::text AS id, position::text AS a, transaction_id::text AS b,
       (SELECT pg_notify($notify_channel, $appended_by)) AS notified
FROM inserted
UNION ALL
SELECT 'c', aggregate_id::text, expected::text, actual::text, NULL FROM conflicts`;

/**
 * What a context adds to an append statement: the kernel's half of a typed contract, so the
 * kernel runs a context's writes without knowing its tables.
 */
export interface AppendWrites<K extends string> {
  /** CTE name → its INSERT, UPDATE or DELETE, reading `$name` parameters and gated by APPEND_GUARD. */
  readonly writes: Readonly<Record<string, string>>;
  readonly parameters: readonly K[];
}

/** An append statement, with a context's writes (K) or without (never). */
export type AppendStatement<K extends string = never> = NamedStatement<AppendParameter | K>;

/**
 * The append and a context's writes as ONE statement: they land exactly when the events do.
 * Every data-modifying CTE runs, on the statement's one snapshot: a write cannot see another's rows.
 */
export function appendStatement<K extends string = never>(own?: AppendWrites<K>): AppendStatement<K> {
  const writes = Object.entries(own?.writes ?? {}).map(([name, sql]) => `, ${name} AS (${sql})`).join('');
  return namedStatement<AppendParameter | K>(`${APPEND_HEAD}${writes}${APPEND_TAIL}`, [...APPEND_PARAMETERS, ...(own?.parameters ?? [])]);
}

export const APPEND_STATEMENT: AppendStatement = appendStatement();

export interface AppendRow {
  kind: 'e' | 'c';
  id: string;
  a: string;
  b: string;
}

/** The append's parameters for `streams` (the last snapshot per stream). Throws if two parts of one stream do not chain. */
export function appendParameters(streams: readonly StreamAppend[], instanceId: string | undefined, channel: string): Record<AppendParameter, unknown> {
  const expected: { aggregate_id: string; expected: number }[] = [];
  const next = new Map<string, number>();
  const rows: unknown[] = [];
  const snapshots = new Map<string, unknown>();
  for (const s of streams) {
    const chained = next.get(s.aggregateId);
    if (chained === undefined) expected.push({ aggregate_id: s.aggregateId, expected: s.expectedVersion });
    else if (chained !== s.expectedVersion) throw new ConcurrencyConflictError(s.aggregateId, s.expectedVersion);
    next.set(s.aggregateId, s.expectedVersion + s.events.length);
    const metadata: EventMetadata = instanceId ? { ...s.metadata, instance_id: instanceId } : (s.metadata ?? {});
    // A row is an array in the insert's column order: no key repeated per row on the wire, one jsonb parse in the server.
    s.events.forEach((e, i) =>
      rows.push([e.event_id, e.event_type, e.aggregate_id, e.aggregate_type, e.payload, e.timestamp, e.version, s.expectedVersion + i + 1, metadata]),
    );
    if (s.snapshot) {
      const { aggregateVersion, schemaVersion, state } = s.snapshot;
      snapshots.set(s.aggregateId, { aggregate_id: s.aggregateId, aggregate_type: s.aggregateType, aggregate_version: aggregateVersion, schema_version: schemaVersion, state });
    }
  }
  return {
    expected: JSON.stringify(expected),
    events: JSON.stringify(rows),
    snapshots: JSON.stringify([...snapshots.values()]),
    appended_by: instanceId ?? '',
    notify_channel: channel,
  };
}

/** A writer of the same stream version committed between our check and our insert. */
export function asConcurrencyConflict(err: any, streams: readonly StreamAppend[]): ConcurrencyConflictError | undefined {
  if (err?.code !== '23505' || !String(err?.constraint ?? err?.message).includes('uq_event_store_stream_version')) return undefined;
  const id = /\(([0-9a-f-]{36}), \d+\)/i.exec(String(err.detail ?? ''))?.[1];
  const stream = streams.find((s) => s.aggregateId === id) ?? streams[0]!;
  return new ConcurrencyConflictError(stream.aggregateId, stream.expectedVersion);
}
