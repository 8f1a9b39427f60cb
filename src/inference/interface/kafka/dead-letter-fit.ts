import type { IHeaders } from 'kafkajs';

/** What goes to the dead-letter topic: the original bytes plus headers that say why. */
export interface DeadLetter {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

/** Below the broker's default `message.max.bytes` (1 MiB) with room for the record batch's own overhead. */
export const DEFAULT_DEAD_LETTER_BYTES = 1_000_000;
/** No header value (the error message above all, which may echo the input) is kept longer than this. */
const MAX_HEADER_BYTES = 4096;
/** Headers that say why the record is here: kept whole, and kept when all else must go. */
const ESSENTIAL = new Set(['error', 'error_code', 'attempts', 'original_topic', 'original_partition', 'original_offset', 'truncated', 'original_value_bytes']);

const sizeOf = (v: Buffer | string | null | undefined): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

export function deadLetterBytes(letter: DeadLetter): number {
  let total = sizeOf(letter.key) + sizeOf(letter.value);
  for (const [k, v] of Object.entries(letter.headers)) {
    for (const one of Array.isArray(v) ? v : [v]) total += Buffer.byteLength(k) + sizeOf(one as Buffer | string | undefined);
  }
  return total;
}

/**
 * The letter cut down to at most `budget` bytes, so the DLQ never refuses it: long header
 * values are clipped, then the value is cut (its original size noted), then the key and
 * the caller's own headers go. The error and the record's coordinates always survive.
 */
export function fitDeadLetter(letter: DeadLetter, budget: number): DeadLetter {
  if (deadLetterBytes(letter) <= budget) return letter;
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(letter.headers)) headers[k] = Array.isArray(v) ? v.map((x) => clip(x)) : clip(v);
  const originalValue = sizeOf(letter.value);
  let fitted: DeadLetter = { key: letter.key, value: letter.value, headers: { ...headers, truncated: 'true', original_value_bytes: String(originalValue) } };
  const over = deadLetterBytes(fitted) - budget;
  if (over > 0 && letter.value != null) fitted = { ...fitted, value: cut(letter.value, originalValue - over) };
  if (deadLetterBytes(fitted) <= budget) return fitted;
  const essential = Object.fromEntries(Object.entries(fitted.headers).filter(([k]) => ESSENTIAL.has(k)));
  return { key: null, value: null, headers: essential };
}

function clip<T extends Buffer | string | undefined>(v: T): T | string {
  if (v === undefined || sizeOf(v) <= MAX_HEADER_BYTES) return v;
  const text = typeof v === 'string' ? v : v.toString('utf8');
  return `${Buffer.from(text).subarray(0, MAX_HEADER_BYTES - 16).toString('utf8')}…[truncated]`;
}

function cut(value: Buffer | string, bytes: number): Buffer | null {
  if (bytes <= 0) return null;
  const buffer = typeof value === 'string' ? Buffer.from(value) : value;
  return buffer.subarray(0, bytes);
}

/** The broker refused the record for its size (kafkajs wraps protocol errors, so the chain is searched). */
export function isRecordTooLarge(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    if (typeof e.message === 'string' && /larger than the (max message|configured segment) size/.test(e.message)) return true;
  }
  return false;
}
