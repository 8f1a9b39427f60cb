import { ConcurrencyConflictError } from '../domain/domain-error.js';
import type { EventTypeRegistry } from '../domain/event-type-registry.js';
import type { Database, Tx } from '../database/database.js';
import { prepared } from '../database/prepared-statement.js';
import { APPEND_STATEMENT, appendParameters, asConcurrencyConflict, storeNotifyChannel, type AppendRow, type AppendStatement } from './append-statement.js';
import type { ReadAllQuery, Snapshot, StoreCursor, StoredEvent, StreamAppend } from './stored-event.js';

/**
 * The columns a reader gets. `transaction_id` comes out as text (xid8 has no JS type), under
 * its own name: an ORDER BY must name `event_store.transaction_id`, or PostgreSQL sorts by the
 * text, where 10 comes before 9.
 */
const SELECT_EVENT = `
  event_id, event_type, aggregate_id, aggregate_type, payload,
  to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp,
  version, aggregate_version, position, metadata, transaction_id::text AS transaction_id`;

/** Rows whose transaction ended before the oldest one still running: nothing can commit before them any more. */
const SETTLED = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

const READ_SETTLED = prepared(`SELECT ${SELECT_EVENT} FROM event_store
  WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND ${SETTLED}
  ORDER BY event_store.transaction_id, event_store.position LIMIT $3`);

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
  transaction_id: string;
}

export interface EventStoreOptions {
  /** Stamped on every append as `metadata.instance_id`: other instances tell their events from ours. */
  instanceId?: string;
}

/**
 * PostgreSQL event store. Appends run concurrently (no global lock); catch-up readers stay
 * gap-free by reading only SETTLED rows in (transaction_id, position) order (`readSettled`),
 * the technique of Emmett and Marten: a row with a smaller position may still be in flight,
 * but never one of a transaction older than the oldest still running.
 */
export class PostgresEventStore {
  /** Where appends notify (the schema is fixed for the store's life). */
  private readonly channel: string;

  constructor(
    private readonly db: Database,
    private readonly registry: EventTypeRegistry,
    private readonly options: EventStoreOptions = {},
  ) {
    this.channel = storeNotifyChannel(db.schema);
  }

  /** Appends one or many streams atomically, snapshots included: ONE autocommit statement (one round trip). */
  async append(streams: StreamAppend | readonly StreamAppend[]): Promise<StoredEvent[]> {
    const list = Array.isArray(streams) ? streams : [streams as StreamAppend];
    if (list.every((s) => s.events.length === 0)) return [];
    return this.run(list, (append) => this.db.query<AppendRow>(APPEND_STATEMENT.prepared, APPEND_STATEMENT.bind(append)));
  }

  /** Appends and runs a context's own writes (`appendStatement(writes)`) in ONE autocommit statement, bound from `values`. */
  async appendWith<K extends string>(streams: readonly StreamAppend[], statement: AppendStatement<K>, values: Readonly<Record<K, unknown>>): Promise<StoredEvent[]> {
    if (streams.every((s) => s.events.length === 0)) return [];
    return this.run(streams, (append) => this.db.query<AppendRow>(statement.prepared, statement.bind({ ...values, ...append })));
  }

  /**
   * Appends inside a caller's transaction (projections written with their events).
   * It MUST be the transaction's first write: PostgreSQL assigns the transaction id at the
   * first write, so two appends to one stream then get ids in stream-version order, and
   * readers ordered by (transaction_id, position) keep every aggregate's order.
   */
  async appendIn(tx: Tx, streams: readonly StreamAppend[]): Promise<StoredEvent[]> {
    if (streams.every((s) => s.events.length === 0)) return [];
    return this.run(streams, (append) => tx.query<AppendRow>(APPEND_STATEMENT.prepared, APPEND_STATEMENT.bind(append)));
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

  /** For catch-up readers (relay, subscriptions): settled events after `cursor`, in (transaction_id, position) order. */
  async readSettled(after: StoreCursor, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.query<EventRow>(READ_SETTLED, [after.transactionId, after.position, limit]);
    return rows.map((r) => this.toStored(r));
  }

  /** The cursor after every settled event: a reader starting here sees only what settles from now on. */
  async headCursor(): Promise<StoreCursor> {
    const [row] = await this.db.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text AS transaction_id, position FROM event_store WHERE ${SETTLED}
       ORDER BY event_store.transaction_id DESC, event_store.position DESC LIMIT 1`,
    );
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : { transactionId: '0', position: 0 };
  }

  /**
   * The audit trail (`GET /events`): settled events after a global position, in position
   * order. Not for catch-up readers: a position-only cursor can still pass a row of a
   * concurrent transaction that drew a smaller position but a larger transaction id.
   */
  async readAll(q: ReadAllQuery = {}, tx?: Tx): Promise<StoredEvent[]> {
    const where = ['position > $1', SETTLED];
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

  /** Runs an append statement (`query`, given the append's own parameters) and reads its rows back as stored events. */
  private async run(streams: readonly StreamAppend[], query: (append: ReturnType<typeof appendParameters>) => Promise<AppendRow[]>): Promise<StoredEvent[]> {
    const append = appendParameters(streams, this.options.instanceId, this.channel);
    let rows: AppendRow[];
    try {
      rows = await query(append);
    } catch (err) {
      throw asConcurrencyConflict(err, streams) ?? err;
    }
    const conflict = rows.find((r) => r.kind === 'c');
    if (conflict) throw new ConcurrencyConflictError(conflict.id, Number(conflict.a));
    const inserted = new Map(rows.map((r) => [r.id, r]));
    const stored: StoredEvent[] = [];
    for (const s of streams) {
      const metadata = this.options.instanceId ? { ...s.metadata, instance_id: this.options.instanceId } : (s.metadata ?? {});
      s.events.forEach((event, i) => {
        const row = inserted.get(event.event_id)!;
        stored.push({ event, aggregateVersion: s.expectedVersion + i + 1, position: Number(row.a), metadata, transactionId: row.b });
      });
    }
    return stored.sort((a, b) => a.position - b.position);
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
      transactionId: r.transaction_id,
    };
  }
}
