import { DomainError } from '../../../shared/domain/domain-error.js';

export type Priority = 'low' | 'normal' | 'high' | 'critical';

/** Lowest first, so that a rank compares like the priority it stands for. */
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'critical'];

export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, critical: 3 };

export const MAX_PRIORITY_RANK = PRIORITY_RANK.critical;

export class InvalidPriorityError extends DomainError {
  constructor(input: unknown) {
    // Details must stay JSON-safe whatever the caller sent (objects, bigints, symbols).
    const shown = typeof input === 'string' ? JSON.stringify(input) : typeof input === 'object' && input !== null ? typeof input : String(input);
    super('VALIDATION_ERROR', `priority ${shown} is not one of low, normal (or medium), high, critical`, { priority: shown });
  }
}

/** Reads a priority: `medium` is upstream's `normal`, missing or null is `normal`, and matching is exact so a typo fails loudly. */
export function parsePriority(input: unknown): Priority {
  if (input === undefined || input === null) return 'normal';
  if (input === 'medium') return 'normal';
  if (typeof input === 'string' && Object.hasOwn(PRIORITY_RANK, input)) return input as Priority;
  throw new InvalidPriorityError(input);
}
