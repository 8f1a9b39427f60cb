import { DomainError } from '../../shared/domain/domain-error.js';

/** `maxCrashes` crashes of one model within `windowMs` make a crash loop. */
export interface CrashLoopPolicy {
  maxCrashes: number;
  windowMs: number;
}

/** One model's recent crashes (ms timestamps, oldest first) and whether its breaker is open. */
export interface CrashRecord {
  crashes: readonly number[];
  open: boolean;
}

export const noCrashes: CrashRecord = { crashes: [], open: false };

/**
 * A crash at `atMs` (the crash event's timestamp): crashes older than the window are
 * forgotten, and the breaker opens at the `maxCrashes`-th within it. It stays open
 * whatever the clock says afterwards: only an explicit load closes it.
 */
export function recordCrash(record: CrashRecord, atMs: number, policy: CrashLoopPolicy): CrashRecord {
  const crashes = [...record.crashes.filter((t) => atMs - t < policy.windowMs), atMs];
  return { crashes, open: record.open || crashes.length >= policy.maxCrashes };
}

/** Automatic loads (reloads after a crash, lazy loads for queued jobs) are refused while this is open. */
export class CrashLoopError extends DomainError {
  constructor(modelId: string, policy: CrashLoopPolicy) {
    super(
      'LOAD_FAILED',
      `model ${modelId} crashed ${policy.maxCrashes} times within ${Math.round(policy.windowMs / 1000)} s: it is not loaded again automatically; load it explicitly (POST /api/v1/models/{model_id}/load) once fixed`,
      { model_id: modelId, crash_loop: true },
    );
  }
}
