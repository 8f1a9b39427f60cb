import { DomainError } from '../../shared/domain/domain-error.js';

export type ModelState = 'unloaded' | 'loading' | 'loaded' | 'unhealthy' | 'unloading' | 'failed';

/**
 * DESIGN §1's legal transitions, plus loaded→failed: a worker that dies while serving
 * is recorded as failed (DESIGN §5) and then unloaded with reason `crashed`. Unloading is
 * one step here (loaded/unhealthy → unloaded) because it is one fact: the worker is gone.
 */
const LEGAL: Record<ModelState, readonly ModelState[]> = {
  unloaded: ['loading'],
  loading: ['loaded', 'failed'],
  loaded: ['unhealthy', 'unloading', 'unloaded', 'failed'],
  unhealthy: ['loaded', 'unloading', 'unloaded', 'failed'],
  unloading: ['unloaded'],
  failed: ['unloaded', 'loading'],
};

export class InvalidStateTransitionError extends DomainError {
  constructor(modelId: string, from: ModelState, to: ModelState) {
    super('INVALID_STATE_TRANSITION', `model ${modelId} cannot go from ${from} to ${to}`, { model_id: modelId, from, to });
  }
}

export function assertTransition(modelId: string, from: ModelState, to: ModelState): void {
  if (!LEGAL[from].includes(to)) throw new InvalidStateTransitionError(modelId, from, to);
}

export const isRunning = (s: ModelState): boolean => s === 'loaded' || s === 'unhealthy';
