import { ValidationError } from '../../shared/domain/domain-error.js';

/** The longest timeout a request may ask for: a day. */
export const MAX_TIMEOUT_MS = 24 * 3600_000;

/** The request's own timeout, else the default for its task type, else the general default. */
export function resolveTimeoutMs(taskType: string, requested: number | undefined | null, defaults: Readonly<Record<string, number>>): number {
  if (requested !== undefined && requested !== null) {
    if (!Number.isSafeInteger(requested) || requested < 1 || requested > MAX_TIMEOUT_MS) {
      throw new ValidationError(`timeout_ms must be an integer between 1 and ${MAX_TIMEOUT_MS}`, { timeout_ms: requested });
    }
    return requested;
  }
  return defaults[taskType] ?? defaults.default ?? 30_000;
}

const RETRY_BASE_MS = 200;
const RETRY_CAP_MS = 10_000;
/** A job whose model was not ready waits this long before it is dispatched again (no retry used). */
export const NOT_READY_DELAY_MS = 100;

/** Exponential backoff before retry number `retry` (1-based): 200 ms, 400 ms, 800 ms, … capped at 10 s. */
export function retryDelayMs(retry: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, retry - 1));
}

/** Milliseconds rounded to 0.1, as the seed's `processing_time_ms: 45.3`. */
export function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms * 10) / 10);
}
