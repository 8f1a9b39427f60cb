import { ConcurrencyConflictError } from '../domain/domain-error.js';
import type { EventTypeRegistry } from '../domain/event-type-registry.js';
import type { Database, Tx } from '../database/database.js';
import type { ReadAllQuery, Snapshot, StoredEvent, StreamAppend } from './stored-event.js';

/** Any constant works: it only has to be the same for every writer of `event_store`. */
const APPEND_LOCK_KEY = 0x4d4f4445; // "MODE"
const COLUMNS = 9;
/** PostgreSQL allows 65535 bind parameters per statement. */
const ROWS_PER_STATEMENT = Math.floor(65535 / COLUMNS);

const SELECT_EVENT = `
  event_id, event_type, aggregate_id, aggregate_type, payload,
  to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp,
  version, aggregate_version, position, metadata`;

interface EventRow {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  payload: Record<string, unknown>;
  timestamp: string;
  version: number;
  aggregate_version: number;
  position: string;
  metadata: Record<string, unknown>;
}

/**
 * PostgreSQL event store.
 *
 * Gap-free catch-up: appends are SERIALISED by a transaction-scoped advisory lock
 * taken before any row is written. Positions are therefore drawn in lock order, and
 * PostgreSQL makes a commit visible before it releases the transaction's locks, so
 * once a reader sees position p, every smaller position is either visible too or
 * belongs to a transaction that rolled back. A reader that remembers "last position
 * seen" can never skip an event that commits late. The cost — one appender at a time —
 * is paid back by group commit: concurrent writers batch many events into one append.
 */
export class PostgresEventStore {
  constructor(
    private readonly db: Database,
    private readonly registry: EventTypeRegistry,
  ) {}

  /** Appends one or many streams in ONE transaction; all succeed or none. */
  async append(streams: StreamAppend | readonly StreamAppend[]): Promise<StoredEvent[]> {
    const list = Array.isArray(streams) ? streams : [streams as StreamAppend];
    if (list.every((s) => s.events.length === 0)) return [];
    return this.db.transaction((tx) => this.appendIn(tx, list));
  }

  /** Appends inside a caller's transaction (projections that write events with their state). */
  async appendIn(tx: Tx, streams: readonly StreamAppend[]): Promise<StoredEvent[]> {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [APPEND_LOCK_KEY]);
    await this.checkExpectedVersions(tx, streams);
    const rows: unknown[][] = [];
    for (const s of streams) {
      s.events.forEach((e, i) =>
        rows.push([
          e.event_id, e.event_type, e.aggregate_id, e.aggregate_type, JSON.stringify(e.payload),
          e.timestamp, e.version, s.expectedVersion + i + 1, JSON.stringify(s.metadata ?? {}),
        ]),
      );
    }
    const stored: StoredEvent[] = [];
    const byId = new Map(streams.flatMap((s) => s.events.map((e, i) => [e.event_id, { s, i, e }] as const)));
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      const inserted = await this.insertRows(tx, chunk);
      for (const r of inserted) {
        const hit = byId.get(r.event_id)!;
        stored.push({
          event: hit.e,
          aggregateVersion: hit.s.expectedVersion + hit.i + 1,
          position: Number(r.position),
          metadata: hit.s.metadata ?? {},
        });
      }
    }
    for (const s of streams) if (s.snapshot) await this.saveSnapshot(tx, s);
    return stored.sort((a, b) => a.position - b.position);
  }

  /** The latest snapshot (if any) and the events after it, in stream order. */
  async load(aggregateId: string, opts: { ignoreSnapshot?: boolean } = {}): Promise<{ snapshot?: Snapshot; events: StoredEvent[] }> {
    const [snap] = opts.ignoreSnapshot
      ? []
      : await this.db.query(
          `SELECT aggregate_id, aggregate_type, aggregate_version, schema_version, state FROM snapshots WHERE aggregate_id = $1`,
          [aggregateId],
        );
    const after = snap ? Number(snap.aggregate_version) : 0;
    const rows = await this.db.query<EventRow>(
      `SELECT ${SELECT_EVENT} FROM event_store WHERE aggregate_id = $1 AND aggregate_version > $2 ORDER BY aggregate_version`,
      [aggregateId, after],
    );
    return {
      snapshot: snap
        ? {
            aggregateId: snap.aggregate_id,
            aggregateType: snap.aggregate_type,
            aggregateVersion: Number(snap.aggregate_version),
            schemaVersion: Number(snap.schema_version),
            state: snap.state,
          }
        : undefined,
      events: rows.map((r) => this.toStored(r)),
    };
  }

  /** Events after a global position, in position order (gap-free, see class comment). */
  async readAll(q: ReadAllQuery = {}, tx?: Tx): Promise<StoredEvent[]> {
    const where = ['position > $1'];
    const params: unknown[] = [q.afterPosition ?? 0];
    if (q.aggregateId) where.push(`aggregate_id = $${params.push(q.aggregateId)}`);
    if (q.eventType) where.push(`event_type = $${params.push(q.eventType)}`);
    params.push(q.limit ?? 1000);
    const sql = `SELECT ${SELECT_EVENT} FROM event_store WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`;
    const rows = tx ? await tx.query<EventRow>(sql, params) : await this.db.query<EventRow>(sql, params);
    return rows.map((r) => this.toStored(r));
  }

  async headPosition(): Promise<number> {
    const [row] = await this.db.query(`SELECT coalesce(max(position), 0) AS head FROM event_store`);
    return Number(row.head);
  }

  private async checkExpectedVersions(tx: Tx, streams: readonly StreamAppend[]): Promise<void> {
    const ids = [...new Set(streams.map((s) => s.aggregateId))];
    const rows = await tx.query<{ aggregate_id: string; current: number }>(
      // One index probe per stream: max() under GROUP BY would scan a whole stream, and the queue's grows with every job.
      `SELECT id AS aggregate_id, (SELECT max(aggregate_version) FROM event_store WHERE aggregate_id = id) AS current FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    const current = new Map(rows.map((r) => [r.aggregate_id, Number(r.current ?? 0)]));
    const seen = new Map<string, number>();
    for (const s of streams) {
      // Two parts for the same stream in one append must chain on each other.
      const actual = seen.get(s.aggregateId) ?? current.get(s.aggregateId) ?? 0;
      if (actual !== s.expectedVersion) throw new ConcurrencyConflictError(s.aggregateId, s.expectedVersion);
      seen.set(s.aggregateId, s.expectedVersion + s.events.length);
    }
  }

  private async insertRows(tx: Tx, rows: unknown[][]): Promise<{ event_id: string; position: string }[]> {
    const values = rows
      .map((_, r) => {
        const b = r * COLUMNS;
        return `($${b + 1}::uuid, $${b + 2}, $${b + 3}::uuid, $${b + 4}, $${b + 5}::jsonb, $${b + 6}::timestamp, $${b + 7}::int, $${b + 8}::int, $${b + 9}::jsonb)`;
      })
      .join(',');
    try {
      return await tx.query(
        `INSERT INTO event_store (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version, metadata)
         VALUES ${values} RETURNING event_id, position`,
        rows.flat(),
      );
    } catch (err: any) {
      // Belt and braces: the lock makes this unreachable for writers that use this store.
      if (err?.code === '23505' && String(err?.constraint ?? err?.message).includes('uq_event_store_stream_version')) {
        const [, aggregateId, , , , , , version] = rows[0] as [unknown, string, unknown, unknown, unknown, unknown, unknown, number];
        throw new ConcurrencyConflictError(aggregateId, version - 1);
      }
      throw err;
    }
  }

  private async saveSnapshot(tx: Tx, s: StreamAppend): Promise<void> {
    const snap = s.snapshot!;
    await tx.query(
      `INSERT INTO snapshots (aggregate_id, aggregate_type, aggregate_version, schema_version, state, taken_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now())
       ON CONFLICT (aggregate_id) DO UPDATE SET aggregate_version = EXCLUDED.aggregate_version,
         schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, taken_at = EXCLUDED.taken_at`,
      [s.aggregateId, s.aggregateType, snap.aggregateVersion, snap.schemaVersion, JSON.stringify(snap.state)],
    );
  }

  private toStored(r: EventRow): StoredEvent {
    return {
      event: this.registry.revive({
        event_id: r.event_id,
        event_type: r.event_type,
        aggregate_id: r.aggregate_id,
        aggregate_type: r.aggregate_type,
        payload: r.payload,
        timestamp: r.timestamp,
        version: Number(r.version),
      }),
      aggregateVersion: Number(r.aggregate_version),
      position: Number(r.position),
      metadata: r.metadata ?? {},
    };
  }
}
