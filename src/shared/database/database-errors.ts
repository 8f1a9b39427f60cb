import { DomainError } from '../domain/domain-error.js';

const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|ECONNREFUSED|Connection is closed/i;

/**
 * Whether an error means "no database right now" (worth a retry and a 503), as opposed
 * to the database refusing what it was sent (a bug or bad data: retrying will not help).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof DomainError) return err.code === 'SERVICE_UNAVAILABLE';
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) return true;
  return UNAVAILABLE_MESSAGE.test(err instanceof Error ? err.message : String(err));
}
