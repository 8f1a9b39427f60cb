import { DomainError } from '../../shared/domain/domain-error.js';

/** `maxCrashes` crashes of one model within `windowMs` make a crash loop. */
export interface CrashLoopPolicy {
  maxCrashes: number;
  windowMs: number;
}

/** How many crash times a model's state keeps (a bigger `maxCrashes` counts as this many). */
export const REMEMBERED_CRASHES = 64;

/** The crash times since the last explicit load, with the one at `atMs` added (oldest forgotten past the cap). */
export function rememberCrash(crashesMs: readonly number[], atMs: number): number[] {
  return [...crashesMs, atMs].slice(-REMEMBERED_CRASHES);
}

/**
 * Open once `maxCrashes` of the crashes recorded since the last explicit load fell within one
 * window. It stays open whatever the clock says afterwards: only an explicit load closes it.
 */
export function isCrashLooping(crashesMs: readonly number[], policy: CrashLoopPolicy): boolean {
  const n = Math.min(Math.max(1, policy.maxCrashes), REMEMBERED_CRASHES);
  for (let last = n - 1; last < crashesMs.length; last++) {
    if (crashesMs[last]! - crashesMs[last - n + 1]! < policy.windowMs) return true;
  }
  return false;
}

/** True when the latest crash is the one that opened the breaker (the moment to alert). */
export function crashLoopOpenedByLastCrash(crashesMs: readonly number[], policy: CrashLoopPolicy): boolean {
  return isCrashLooping(crashesMs, policy) && !isCrashLooping(crashesMs.slice(0, -1), policy);
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
