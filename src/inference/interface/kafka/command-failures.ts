import { DomainError } from '../../../shared/domain/domain-error.js';
import { ERROR_STATUS } from '../../../shared/http/edge/error-status.js';

/** Codes that describe a moment, not the message: retried like an infrastructure failure. */
const TRANSIENT_CODES = new Set(['CONCURRENCY_CONFLICT', 'SERVICE_UNAVAILABLE']);
/** Bugs, not outages: retrying would block the partition forever. */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

export type Verdict = { retry: true } | { retry: false; code: string; message: string };
export type Failure = { code: string; message: string; attempts?: number };

/**
 * The one error language on the Kafka path (design §10): a domain error is the message's fault and goes
 * to the DLQ with its error_code at once; anything else (database down, broker hiccup) is the moment's
 * fault: retried with backoff, dead-lettered (`givenUp`) only after `maxAttempts` tries (8 by default).
 */
export function classifyCommandError(err: unknown): Verdict {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof DomainError || (err instanceof Error && typeof code === 'string' && code in ERROR_STATUS)) {
    const c = code as string;
    return TRANSIENT_CODES.has(c) ? { retry: true } : { retry: false, code: c, message: (err as Error).message };
  }
  if (PROGRAMMING_ERRORS.some((cls) => err instanceof cls)) return { retry: false, code: 'INTERNAL_ERROR', message: (err as Error).message };
  return { retry: true };
}

/** The last error of a record that kept failing: its own code when it has one the API knows. */
export function givenUp(err: unknown, attempts: number): Failure {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: typeof code === 'string' && code in ERROR_STATUS ? code : 'INTERNAL_ERROR',
    message: `still failing after ${attempts} attempts: ${message}`,
    attempts,
  };
}
