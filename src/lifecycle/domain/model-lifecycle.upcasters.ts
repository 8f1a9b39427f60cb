import type { Upcaster } from '../../shared/domain/event-type-registry.js';

/**
 * model.load.started v1 → v2: loads recorded before `trigger` existed count as explicit, so
 * the crash-loop breaker starts over at each of them and never trips on an older history.
 */
const loadStartedV1: Upcaster = {
  eventType: 'model.load.started',
  fromVersion: 1,
  upcast: (payload) => ({ ...payload, trigger: 'explicit' }),
};

export const lifecycleUpcasters: readonly Upcaster[] = [loadStartedV1];
