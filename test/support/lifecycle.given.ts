/** The lifecycle manager's facts as literal given-events, and its decisions as when-steps: shared by its unit specs. */
import { createEvent, type DomainEvent, type EventContext } from '../../src/shared/domain/event-envelope.js';
import { decideLifecycle } from '../../src/lifecycle/domain/model-lifecycle.decide.js';
import {
  MODEL_LIFECYCLE_MANAGER, ModelHealthChanged, ModelLoadFailed, ModelLoadStarted, ModelLoaded, ModelUnloaded, type LoadTrigger,
} from '../../src/lifecycle/domain/model-lifecycle.events.js';
import { emptyLifecycle, evolveLifecycle, type LifecycleState } from '../../src/lifecycle/domain/model-lifecycle.state.js';
import type { ModelState } from '../../src/lifecycle/domain/model-state.js';
import { fixedEventContext, specFor } from './given-when-then.js';

export const MGR = 'cc0e8400-e29b-41d4-a716-446655440008';
export const M = 'acme/matmul';
export const T0 = '2025-12-04T10:25:00.000Z';
export const POLICY = { maxCrashes: 3, windowMs: 60_000 };

/** A decision to run on the state the given events left. */
export type Cmd = (s: LifecycleState, ctx: EventContext) => DomainEvent[];
export const given = specFor<LifecycleState, Cmd>({ initial: emptyLifecycle, evolve: evolveLifecycle, decide: (s, c, ctx) => c(s, ctx) });
export const d = decideLifecycle;
export const stateAfter = (events: DomainEvent[]) => events.reduce(evolveLifecycle, emptyLifecycle());

const fact = <P extends Record<string, unknown>>(cls: { new (e: any): DomainEvent<P>; eventType: string; schemaVersion: number }, payload: P, at = T0) =>
  createEvent(cls as never, { id: MGR, type: MODEL_LIFECYCLE_MANAGER }, payload as never, fixedEventContext(at)) as DomainEvent;

export const loadedPayload = { model_id: M, version: 'v1', memory_mb: 41.5, process_id: 4242, task_type: 'tensor', load_time_ms: 120, inputs: [], outputs: [] };
export const loadStarted = (trigger: LoadTrigger = 'explicit', at = T0, modelId = M) => fact(ModelLoadStarted, { model_id: modelId, version: 'v1', trigger }, at);
export const loaded = (at = T0) => fact(ModelLoaded, loadedPayload, at);
export const loadFailed = (at = T0) => fact(ModelLoadFailed, { model_id: M, version: 'v1', error_code: 'LOAD_FAILED', error_message: 'boom' }, at);
export const healthChanged = (from: ModelState, to: ModelState, at = T0, error: string | null = null) =>
  fact(ModelHealthChanged, { model_id: M, previous_state: from, new_state: to, error_message: error }, at);
export const unloaded = (reason: 'manual' | 'crashed', at = T0) => fact(ModelUnloaded, { model_id: M, reason, uptime_seconds: 0, version: 'v1' }, at);
/** A worker that died by itself: failed, then unloaded as crashed. */
export const crashed = (at = T0) => [healthChanged('loaded', 'failed', at, 'worker exited'), unloaded('crashed', at)];
