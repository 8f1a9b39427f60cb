import { createEvent, type EventContext } from '../../shared/domain/event-envelope.js';
import type { CrashLoopPolicy } from './crash-loop.js';
import {
  MODEL_LIFECYCLE_MANAGER, ModelHealthChanged, ModelLoadFailed, ModelLoadStarted, ModelLoaded, ModelUnloaded,
  type LifecycleEvent, type LoadTrigger, type ModelLoadedPayload, type UnloadReason,
} from './model-lifecycle.events.js';
import { assertUnloadable, loadNeeded, uptimeSeconds } from './model-lifecycle.rules.js';
import { unknownModel, type LifecycleState } from './model-lifecycle.state.js';
import { assertTransition, isRunning, type ModelState } from './model-state.js';

const agg = (id: string) => ({ id, type: MODEL_LIFECYCLE_MANAGER });
const model = (s: LifecycleState, id: string) => s.models[id] ?? unknownModel();

export interface LoadRequest {
  modelId: string;
  version: string;
  trigger: LoadTrigger;
}

/** The lifecycle manager's decisions: pure (state, input, context) → events. */
export const decideLifecycle = {
  /** [] when the model already runs what was asked: loading twice is not a new fact. */
  startLoad(s: LifecycleState, managerId: string, { modelId, version, trigger }: LoadRequest, policy: CrashLoopPolicy, ctx: EventContext): LifecycleEvent[] {
    const m = model(s, modelId);
    if (!loadNeeded(modelId, m, version, trigger, policy)) return [];
    assertTransition(modelId, m.state, 'loading');
    return [createEvent(ModelLoadStarted, agg(managerId), { model_id: modelId, version, trigger }, ctx)];
  },

  loaded(s: LifecycleState, managerId: string, payload: ModelLoadedPayload, ctx: EventContext): LifecycleEvent[] {
    assertTransition(payload.model_id, model(s, payload.model_id).state, 'loaded');
    return [createEvent(ModelLoaded, agg(managerId), payload, ctx)];
  },

  loadFailed(s: LifecycleState, managerId: string, modelId: string, error: { code: string; message: string }, ctx: EventContext): LifecycleEvent[] {
    const m = model(s, modelId);
    assertTransition(modelId, m.state, 'failed');
    return [createEvent(ModelLoadFailed, agg(managerId), { model_id: modelId, version: m.version ?? 'unknown', error_code: error.code, error_message: error.message }, ctx)];
  },

  unload(s: LifecycleState, managerId: string, modelId: string, reason: UnloadReason, ctx: EventContext): LifecycleEvent[] {
    const m = model(s, modelId);
    assertUnloadable(modelId, m);
    return [createEvent(ModelUnloaded, agg(managerId), { model_id: modelId, reason, uptime_seconds: uptimeSeconds(m, ctx.now.getTime()), version: m.version }, ctx)];
  },

  /** Health moves between loaded and unhealthy; [] when nothing changes. */
  health(s: LifecycleState, managerId: string, modelId: string, next: ModelState, error: string | null, ctx: EventContext): LifecycleEvent[] {
    const m = model(s, modelId);
    if (m.state === next) return [];
    assertTransition(modelId, m.state, next);
    return [createEvent(ModelHealthChanged, agg(managerId), { model_id: modelId, previous_state: m.state, new_state: next, error_message: error }, ctx)];
  },

  /** A worker died on its own: it failed, and so it is unloaded, with reason `crashed`. */
  crashed(s: LifecycleState, managerId: string, modelId: string, error: string, ctx: EventContext): LifecycleEvent[] {
    const m = model(s, modelId);
    if (!isRunning(m.state)) return [];
    const failed = decideLifecycle.health(s, managerId, modelId, 'failed', error, ctx);
    const after = { models: { ...s.models, [modelId]: { ...m, state: 'failed' as const } } };
    return [...failed, ...decideLifecycle.unload(after, managerId, modelId, 'crashed', ctx)];
  },

  /** After a restart no worker of ours exists: what the log says runs, did not survive. */
  reconcile(s: LifecycleState, managerId: string, alive: (modelId: string) => boolean, ctx: EventContext): LifecycleEvent[] {
    const events: LifecycleEvent[] = [];
    for (const [id, m] of Object.entries(s.models)) {
      if (alive(id)) continue;
      if (m.state === 'loading') {
        events.push(...decideLifecycle.loadFailed(s, managerId, id, { code: 'LOAD_FAILED', message: 'the server stopped during the load' }, ctx));
      } else if (isRunning(m.state) || m.state === 'unloading') {
        events.push(createEvent(ModelUnloaded, agg(managerId), { model_id: id, reason: 'crashed', uptime_seconds: uptimeSeconds(m, ctx.now.getTime()), version: m.version }, ctx));
      }
    }
    return events;
  },
};
