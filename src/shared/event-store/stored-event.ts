import type { DomainEvent } from '../domain/event-envelope.js';

/** Correlation data carried beside an event, never inside its payload. */
export interface EventMetadata {
  correlation_id?: string;
  causation_id?: string;
  trace_id?: string;
  [key: string]: unknown;
}

/** An event as the store knows it: the envelope plus its stream version and global position. */
export interface StoredEvent<E extends DomainEvent = DomainEvent> {
  readonly event: E;
  readonly aggregateVersion: number;
  /** Global order; bigint in SQL, a safe integer here (2^53 events is far away). */
  readonly position: number;
  readonly metadata: EventMetadata;
  /** The appending transaction's id (xid8, decimal): with `position`, the catch-up readers' order. */
  readonly transactionId?: string;
}

/**
 * Where a catch-up reader has got to: the last event it handled, as (transaction id,
 * position). Readers go on in that order, never by position alone (see PostgresEventStore).
 */
export interface StoreCursor {
  readonly transactionId: string;
  readonly position: number;
}

export const START_OF_STORE: StoreCursor = { transactionId: '0', position: 0 };

/**
 * A cursor as clients see it (SSE `id:`, `Last-Event-ID`, the audit API's `after`): opaque
 * to them, `<transaction id>-<position>` here.
 */
export function formatCursor(cursor: StoreCursor): string {
  return `${cursor.transactionId}-${cursor.position}`;
}

const MAX_XID8 = 2n ** 64n - 1n;

/** A cursor a client sent back, or undefined if it is none of ours. */
export function parseCursor(text: string): StoreCursor | undefined {
  const m = /^(\d{1,20})-(\d{1,16})$/.exec(text);
  if (!m) return undefined;
  const position = Number(m[2]);
  if (BigInt(m[1]!) > MAX_XID8 || !Number.isSafeInteger(position)) return undefined;
  return { transactionId: BigInt(m[1]!).toString(), position };
}

/** Whether `a` comes after `b` in the readers' order. */
export function isAfter(a: StoreCursor, b: StoreCursor): boolean {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  return ta > tb || (ta === tb && a.position > b.position);
}

/** The cursor just after `event` (it must come from the store, which sets `transactionId`). */
export function cursorOf(event: StoredEvent): StoreCursor {
  if (event.transactionId === undefined) throw new Error(`stored event at position ${event.position} has no transaction id`);
  return { transactionId: event.transactionId, position: event.position };
}

export interface Snapshot<S = unknown> {
  readonly aggregateId: string;
  readonly aggregateType: string;
  readonly aggregateVersion: number;
  readonly schemaVersion: number;
  readonly state: S;
}

/** One stream's part of an append: its events and the version the writer last saw. */
export interface StreamAppend {
  readonly aggregateId: string;
  readonly aggregateType: string;
  readonly expectedVersion: number;
  readonly events: readonly DomainEvent[];
  readonly metadata?: EventMetadata;
  /** Written in the same transaction, when the writer decides it is time. */
  readonly snapshot?: Omit<Snapshot, 'aggregateId' | 'aggregateType'>;
}

/** Which events a reader wants; the store filters by these in SQL. */
export interface EventFilter {
  aggregateId?: string;
  eventType?: string;
}

export interface ReadAllQuery extends EventFilter {
  /** Start after this cursor (default: the start of the store). */
  after?: StoreCursor;
  /** Start after a bare position instead, in position order (readByPosition: old clients only). */
  afterPosition?: number;
  limit?: number;
}
