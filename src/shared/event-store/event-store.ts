import { ConcurrencyConflictError } from '../domain/domain-error.js';
import type { EventTypeRegistry } from '../domain/event-type-registry.js';
import type { Database, Tx } from '../database/database.js';
import { prepared, type PreparedStatement } from '../database/prepared-statement.js';
import { APPEND_STATEMENT, appendParameters, asConcurrencyConflict, storeNotifyChannel, type AppendRow, type AppendStatement } from './append-statement.js';
import { SETTLED } from './settled-horizon.js';
import { CORRELATION_FIELDS, serializeRow, type SerializedEvent, type SerializedRow } from './serialized-event.js';
import { START_OF_STORE, type EventFilter, type ReadAllQuery, type Snapshot, type StoreCursor, type StoredEvent, type StreamAppend } from './stored-event.js';

/**
 * The columns a reader gets. `transaction_id` comes out as text (xid8 has no JS type), under
 * its own name: an ORDER BY must name `event_store.transaction_id`, or PostgreSQL sorts by the
 * text, where 10 comes before 9.
 */
const SELECT_EVENT = `
  event_id, event_type, aggregate_id, aggregate_type, payload,
  to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp,
  version, aggregate_version, position, metadata, transaction_id::text AS transaction_id`;

/** Settled events after a cursor, in readers' order; one prepared text per filter combination. */
function settledRead(filter: EventFilter): PreparedStatement {
  const where = ['(transaction_id, position) > ($1::xid8, $2::bigint)', SETTLED];
  if (filter.aggregateId) where.push('aggregate_id = $4::uuid');
  if (filter.eventType) where.push(`event_type = $${filter.aggregateId ? 5 : 4}`);
  return prepared(`SELECT ${SELECT_EVENT} FROM event_store WHERE ${where.join(' AND ')}
  ORDER BY event_store.transaction_id, event_store.position LIMIT $3`);
}
/** The relay's read: the payload as jsonb's text and only the correlation fields of the metadata, nothing parsed in JS. */
const SERIALIZED_READ = prepared(`SELECT event_id, event_type, aggregate_id, aggregate_type, payload::text AS payload,
  to_char(timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp, version, aggregate_version, position, transaction_id::text AS transaction_id,
  ${CORRELATION_FIELDS.map((f) => `CASE WHEN jsonb_typeof(metadata->'${f}') = 'string' THEN metadata->>'${f}' END AS ${f}`).join(', ')}
  FROM event_store WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND ${SETTLED}
  ORDER BY event_store.transaction_id, event_store.position LIMIT $3`);
const READS = {
  all: settledRead({}),
  byAggregate: settledRead({ aggregateId: 'x' }),
  byType: settledRead({ eventType: 'x' }),
  byBoth: settledRead({ aggregateId: 'x', eventType: 'x' }),
};

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
 * PostgreSQL event store. Appends run concurrently (no global lock); readers stay gap-free
 * by reading only SETTLED rows in (transaction_id, position) order (settled-horizon.ts), the
 * technique of Emmett and Marten, with a horizon that waits for ModelMora's writers only.
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
   * Appends inside a caller's transaction. It MUST be its first write: the readers' horizon needs
   * the announcement before the transaction has an id, and a stream's appends need ids in order.
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

  /** Settled events after `after` (matching `filter`), in (transaction_id, position) order: what every reader reads. */
  async readSettled(after: StoreCursor, limit: number, filter: EventFilter = {}, tx?: Tx): Promise<StoredEvent[]> {
    const params: unknown[] = [after.transactionId, after.position, limit];
    if (filter.aggregateId) params.push(filter.aggregateId);
    if (filter.eventType) params.push(filter.eventType);
    const statement = filter.aggregateId ? (filter.eventType ? READS.byBoth : READS.byAggregate) : filter.eventType ? READS.byType : READS.all;
    const rows = tx ? await tx.query<EventRow>(statement, params) : await this.db.query<EventRow>(statement, params);
    return rows.map((r) => this.toStored(r));
  }

  /** `readSettled` (no filter) as envelope JSON text, for readers that only ship events on: no event object is built. */
  async readSettledSerialized(after: StoreCursor, limit: number): Promise<SerializedEvent[]> {
    const rows = await this.db.query<SerializedRow>(SERIALIZED_READ, [after.transactionId, after.position, limit]);
    const out = new Array<SerializedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = serializeRow(rows[i]!, this.registry);
    return out;
  }

  /**
   * For old clients only: settled events after a bare position, in position order. It can step
   * over an event whose position was drawn before a later one was read but committed after;
   * cursors (readSettled) cannot.
   */
  async readByPosition(after: number, limit: number, filter: EventFilter = {}, tx?: Tx): Promise<StoredEvent[]> {
    const where = ['position > $1', SETTLED];
    const params: unknown[] = [after, limit];
    if (filter.aggregateId) where.push(`aggregate_id = $${params.push(filter.aggregateId)}::uuid`);
    if (filter.eventType) where.push(`event_type = $${params.push(filter.eventType)}`);
    const sql = `SELECT ${SELECT_EVENT} FROM event_store WHERE ${where.join(' AND ')} ORDER BY position LIMIT $2`;
    const rows = tx ? await tx.query<EventRow>(sql, params) : await this.db.query<EventRow>(sql, params);
    return rows.map((r) => this.toStored(r));
  }

  /** `readSettled` (or, given only `afterPosition`, `readByPosition`) with the query as one object. */
  async readAll(q: ReadAllQuery = {}, tx?: Tx): Promise<StoredEvent[]> {
    const filter = { aggregateId: q.aggregateId, eventType: q.eventType };
    if (q.after === undefined && q.afterPosition !== undefined) return this.readByPosition(q.afterPosition, q.limit ?? 1000, filter, tx);
    return this.readSettled(q.after ?? START_OF_STORE, q.limit ?? 1000, filter, tx);
  }

  /** The cursor after every settled event: a reader starting here sees only what settles from now on. */
  async headCursor(): Promise<StoreCursor> {
    return this.cursorBeforeHead(0);
  }

  /** The cursor `n` settled events before the head (the last `n` follow it); the start when there are fewer. */
  async cursorBeforeHead(n: number): Promise<StoreCursor> {
    const [row] = await this.db.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text AS transaction_id, position FROM event_store WHERE ${SETTLED}
       ORDER BY event_store.transaction_id DESC, event_store.position DESC OFFSET $1 LIMIT 1`,
      [n],
    );
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : START_OF_STORE;
  }

  /**
   * A cursor for an old client's bare position `p`: every event with a position above `p` comes
   * after it. Its transaction id is the smallest such an event can have (a committed one's,
   * or the oldest running transaction's), so events at or below `p` may come again; none is skipped.
   */
  async cursorAfterPosition(p: number): Promise<StoreCursor> {
    const [row] = await this.db.query<{ transaction_id: string }>(
      `SELECT least((SELECT min(transaction_id) FROM event_store WHERE position > $1), pg_snapshot_xmin(pg_current_snapshot()))::text AS transaction_id`,
      [p],
    );
    return { transactionId: row!.transaction_id, position: p };
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
