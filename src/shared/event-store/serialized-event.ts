import type { EventTypeRegistry } from '../domain/event-type-registry.js';
import type { StoredEvent } from './stored-event.js';

/** The correlation fields a reader forwards, each only when the metadata holds it as a non-empty string. */
export interface Correlation {
  correlation_id?: string;
  causation_id?: string;
  trace_id?: string;
}

export const CORRELATION_FIELDS = ['correlation_id', 'causation_id', 'trace_id'] as const;

/**
 * A settled event as the JSON text of its (upcast) envelope, byte for byte
 * `JSON.stringify(event.toEnvelope())`, for readers that ship events on (the Kafka relay).
 */
export interface SerializedEvent {
  readonly json: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly aggregateType: string;
  readonly aggregateVersion: number;
  readonly position: number;
  readonly transactionId: string;
  readonly correlation: Correlation;
}

/** A row of the serialized read: the payload as jsonb's text, the correlation fields picked in SQL. */
export interface SerializedRow {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  payload: string;
  timestamp: string;
  version: number;
  aggregate_version: number;
  position: string;
  transaction_id: string;
  correlation_id: string | null;
  causation_id: string | null;
  trace_id: string | null;
}

/**
 * The envelope text without parsing the payload: uuids and the `to_char` timestamp need no
 * escaping. An event of an older schema version is revived (upcast) and stringified instead.
 */
export function serializeRow(r: SerializedRow, registry: EventTypeRegistry): SerializedEvent {
  const cls = registry.classOf(r.event_type); // an unknown type fails here, as revive() would
  const version = Number(r.version);
  let json: string;
  if (version >= cls.schemaVersion) {
    const payload = compactJsonb(r.payload) ?? JSON.stringify(JSON.parse(r.payload));
    json = `{"event_id":"${r.event_id}","event_type":${JSON.stringify(r.event_type)},"aggregate_id":"${r.aggregate_id}","aggregate_type":${JSON.stringify(r.aggregate_type)},"payload":${payload},"timestamp":"${r.timestamp}","version":${version}}`;
  } else {
    const { event_id, event_type, aggregate_id, aggregate_type, timestamp } = r;
    json = JSON.stringify(registry.revive({ event_id, event_type, aggregate_id, aggregate_type, payload: JSON.parse(r.payload), timestamp, version }).toEnvelope());
  }
  const correlation: Correlation = {};
  for (const name of CORRELATION_FIELDS) if (r[name]) correlation[name] = r[name];
  return {
    json, eventId: r.event_id, eventType: r.event_type, aggregateId: r.aggregate_id, aggregateType: r.aggregate_type,
    aggregateVersion: Number(r.aggregate_version), position: Number(r.position), transactionId: r.transaction_id, correlation,
  };
}

/** The same shape from an event already in memory (tests' fakes, in-memory sources). */
export function serializeStored(stored: StoredEvent): SerializedEvent {
  const { event, metadata } = stored;
  if (stored.transactionId === undefined) throw new Error(`stored event at position ${stored.position} has no transaction id`);
  const correlation: Correlation = {};
  for (const name of CORRELATION_FIELDS) {
    const value = metadata[name];
    if (typeof value === 'string' && value !== '') correlation[name] = value;
  }
  return {
    json: JSON.stringify(event.toEnvelope()), eventId: event.event_id, eventType: event.event_type, aggregateId: event.aggregate_id,
    aggregateType: event.aggregate_type, aggregateVersion: stored.aggregateVersion, position: stored.position, transactionId: stored.transactionId, correlation,
  };
}

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58, SPACE = 32, MINUS = 45, ZERO = 48, NINE = 57, CLOSE_OBJECT = 125, CLOSE_ARRAY = 93;

/**
 * jsonb's text as `JSON.stringify(JSON.parse(text))` writes it, with no value built: PostgreSQL
 * adds one space after each `,` and `:` and escapes strings as V8 does. Undefined (the caller
 * parses) where they could differ: a number that does not round-trip, a key JS moves first (`"7"`).
 */
export function compactJsonb(text: string): string | undefined {
  let out = '';
  let from = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return undefined;
        let b = end - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        if ((end - 1 - b) % 2 === 0) break; // an even run of backslashes: this quote is not escaped
      }
      const first = text.charCodeAt(i + 1);
      if (text.charCodeAt(end + 1) === COLON && first >= ZERO && first <= NINE) return undefined;
      i = end + 1;
    } else if (c === COMMA || c === COLON) {
      if (text.charCodeAt(i + 1) !== SPACE) return undefined;
      out += text.slice(from, i + 1);
      from = i + 2;
      i += 2;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let end = i + 1;
      for (let d = text.charCodeAt(end); end < n && d !== COMMA && d !== CLOSE_OBJECT && d !== CLOSE_ARRAY; d = text.charCodeAt(++end));
      if (!isShortInteger(text, i, end)) {
        const token = text.slice(i, end);
        if (String(Number(token)) !== token) return undefined;
      }
      i = end;
    } else i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `0`, or an optional minus and up to 15 digits without a leading zero: such a number prints back as written. */
function isShortInteger(text: string, start: number, end: number): boolean {
  let i = text.charCodeAt(start) === MINUS ? start + 1 : start;
  if (i >= end || end - i > 15) return false;
  if (text.charCodeAt(i) === ZERO) return end === i + 1 && i === start;
  for (; i < end; i++) {
    const d = text.charCodeAt(i);
    if (d < ZERO || d > NINE) return false;
  }
  return true;
}
