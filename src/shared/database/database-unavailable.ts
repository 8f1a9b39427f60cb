import { DomainError } from '../domain/domain-error.js';

/** Seconds a client should wait before retrying while the database is away. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The database cannot serve now (down, unreachable, timed out): a 503 the caller retries, never a 500. */
export class DatabaseUnavailableError extends DomainError {
  constructor(readonly reason: string) {
    super('SERVICE_UNAVAILABLE', 'the database is unavailable; retry later', { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS });
  }
}

// SQLSTATEs of an outage rather than of a bad statement: connection exceptions (08…),
// shutdown and cannot-connect-now (57P0x), too many connections, and our own timeouts
// (statement 57014, lock 55P03, idle in transaction 25P03).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '55P03', '25P03']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// What `pg` and its pool throw without a code when the socket dies or a timeout fires.
const NETWORK_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection terminated due to connection timeout|connect ECONNREFUSED|read ECONNRESET/;

/** The outage behind `err` (TypeORM wraps the driver's error), or undefined for any other failure. */
export function databaseOutage(err: unknown): DatabaseUnavailableError | undefined {
  if (err instanceof DatabaseUnavailableError) return err;
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown } | undefined, hops = 0; e && hops < 3; e = e.driverError as typeof e, hops++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || NETWORK_CODES.has(code)) return new DatabaseUnavailableError(`${code}: ${String(e.message)}`);
    if (typeof e.message === 'string' && NETWORK_MESSAGES.test(e.message)) return new DatabaseUnavailableError(e.message);
  }
  return undefined;
}
