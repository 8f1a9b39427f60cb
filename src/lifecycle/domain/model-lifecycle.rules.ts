import { ModelUnhealthyError } from '../../shared/domain/model-unhealthy.error.js';
import { CrashLoopError, isCrashLooping, type CrashLoopPolicy } from './crash-loop.js';
import type { LoadTrigger } from './model-lifecycle.events.js';
import { ModelNotLoadedError } from './model-lifecycle.errors.js';
import type { ManagedModel } from './model-lifecycle.state.js';
import { isRunning, type ModelState } from './model-state.js';

/** Seconds a model has been loaded at `nowMs`; 0 when it is not. */
export function uptimeSeconds(m: Pick<ManagedModel, 'loaded_at'>, nowMs: number): number {
  return m.loaded_at ? Math.max(0, Math.round((nowMs - Date.parse(m.loaded_at)) / 1000)) : 0;
}

/** A worker can be stopped when the model runs, or after it failed. */
export function assertUnloadable(modelId: string, m: ManagedModel | undefined): void {
  if (!m || (!isRunning(m.state) && m.state !== 'failed')) throw new ModelNotLoadedError(modelId);
}

/** Nothing is routed to a model that is not `loaded`. */
export function assertServable(modelId: string, state: ModelState): void {
  if (state === 'unhealthy' || state === 'failed') throw new ModelUnhealthyError(modelId, state);
  if (state !== 'loaded') throw new ModelNotLoadedError(modelId);
}

/**
 * Whether a load must start: not when the model already runs that version (or, for a lazy
 * load, any version). Throws while a crash loop holds back every load but an explicit one.
 */
export function loadNeeded(modelId: string, m: ManagedModel, version: string, trigger: LoadTrigger, policy: CrashLoopPolicy): boolean {
  if (isRunning(m.state) && (m.version === version || trigger === 'lazy')) return false;
  if (trigger !== 'explicit' && isCrashLooping(m.crashes_ms, policy)) throw new CrashLoopError(modelId, policy);
  return true;
}
