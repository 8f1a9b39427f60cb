import { isCrashLooping, type CrashLoopPolicy } from './crash-loop.js';
import type { ManagedModel } from './model-lifecycle.state.js';

/** The fact a recovery reacts to: the worker went (`crashed`), hangs (`unhealthy`), or a reload failed. */
export type RecoveryCause = 'crashed' | 'unhealthy' | 'load_failed';

export interface RecoveryPolicy {
  /** Failures since the last successful load after which recovery gives up. */
  maxAttempts: number;
  crashLoop: CrashLoopPolicy;
}

export type RecoveryPlan =
  | { action: 'reload'; version: string | null; attempt: number; delayMs: number }
  | { action: 'replace'; attempt: number; delayMs: number }
  | { action: 'none'; why: 'not_needed' | 'attempts_used_up' | 'crash_loop' };

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** Exponential back-off: 0.5 s, 1 s, 2 s… at most 30 s. */
export const backoffMs = (attempt: number): number => Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));

/** A hung worker is replaced only while it still hangs. */
export const needsReplacement = (m: ManagedModel | undefined): boolean => m?.state === 'unhealthy';

/**
 * What to do about a model after `cause`, from its recorded facts alone: the attempt is the
 * number of failures since its last successful load, and a crash loop stops every reload.
 */
export function planRecovery(m: ManagedModel, cause: RecoveryCause, policy: RecoveryPolicy): RecoveryPlan {
  const stillDown = m.state === 'unloaded' || m.state === 'failed';
  const applies = cause === 'unhealthy' ? needsReplacement(m)
    : cause === 'crashed' ? stillDown
    : m.state === 'failed' && m.load_trigger === 'recovery';
  if (!applies) return { action: 'none', why: 'not_needed' };
  if (cause !== 'unhealthy' && isCrashLooping(m.crashes_ms, policy.crashLoop)) return { action: 'none', why: 'crash_loop' };
  const attempt = Math.max(1, m.failures_since_load);
  if (attempt > policy.maxAttempts) return { action: 'none', why: 'attempts_used_up' };
  const delayMs = backoffMs(attempt);
  return cause === 'unhealthy' ? { action: 'replace', attempt, delayMs } : { action: 'reload', version: m.version, attempt, delayMs };
}
