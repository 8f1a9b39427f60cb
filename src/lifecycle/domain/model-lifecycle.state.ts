import type { DomainEvent } from '../../shared/domain/event-envelope.js';
import { rememberCrash } from './crash-loop.js';
import type { IoInfo, LifecycleEvent, LoadTrigger } from './model-lifecycle.events.js';
import type { ModelState } from './model-state.js';

export interface ManagedModel {
  state: ModelState;
  version: string | null;
  task_type: string | null;
  process_id: number | null;
  memory_mb: number | null;
  loaded_at: string | null;
  /** RSS measured at the last successful load: the estimate for the next one. */
  last_rss_mb: number | null;
  io: { inputs: IoInfo[]; outputs: IoInfo[] } | null;
  last_error: string | null;
  /** Who asked for the latest load. */
  load_trigger: LoadTrigger | null;
  /** Worker deaths (and replacements of hung workers) since the last explicit load, ms since the epoch. */
  crashes_ms: number[];
  /** Failed loads, hangs and crashes since the last successful load: the recovery's attempt count. */
  failures_since_load: number;
}

/** Every model this manager has touched. JSON-safe: it is the snapshot. */
export interface LifecycleState {
  models: Record<string, ManagedModel>;
}

export const emptyLifecycle = (): LifecycleState => ({ models: {} });

export const unknownModel = (): ManagedModel => ({
  state: 'unloaded', version: null, task_type: null, process_id: null, memory_mb: null,
  loaded_at: null, last_rss_mb: null, io: null, last_error: null, load_trigger: null, crashes_ms: [], failures_since_load: 0,
});

export function evolveLifecycle(state: LifecycleState, event: DomainEvent): LifecycleState {
  const e = event as LifecycleEvent;
  const id = e.payload.model_id;
  const m = state.models[id] ?? unknownModel();
  const put = (next: Partial<ManagedModel>): LifecycleState => ({ models: { ...state.models, [id]: { ...m, ...next } } });
  switch (e.event_type) {
    case 'model.load.started':
      return put({
        state: 'loading', version: e.payload.version, last_error: null, load_trigger: e.payload.trigger,
        crashes_ms: e.payload.trigger === 'explicit' ? [] : m.crashes_ms,
      });
    case 'model.loaded':
      return put({
        state: 'loaded', version: e.payload.version, task_type: e.payload.task_type, process_id: e.payload.process_id,
        memory_mb: e.payload.memory_mb, last_rss_mb: e.payload.memory_mb, loaded_at: e.timestamp,
        io: { inputs: e.payload.inputs, outputs: e.payload.outputs }, failures_since_load: 0,
      });
    case 'model.load.failed':
      return put({ state: 'failed', process_id: null, memory_mb: null, last_error: e.payload.error_message, failures_since_load: m.failures_since_load + 1 });
    case 'model.health.changed': {
      const { new_state } = e.payload;
      const failure = new_state === 'unhealthy' || new_state === 'failed';
      return put({
        state: new_state, last_error: e.payload.error_message,
        failures_since_load: m.failures_since_load + (failure ? 1 : 0),
        crashes_ms: new_state === 'failed' ? rememberCrash(m.crashes_ms, Date.parse(e.timestamp)) : m.crashes_ms,
      });
    }
    case 'model.unloaded': {
      // A hung worker replaced (unhealthy → crashed) counts toward the crash loop like a worker that died.
      const replaced = e.payload.reason === 'crashed' && m.state === 'unhealthy';
      return put({
        state: 'unloaded', process_id: null, memory_mb: null, loaded_at: null,
        crashes_ms: replaced ? rememberCrash(m.crashes_ms, Date.parse(e.timestamp)) : m.crashes_ms,
      });
    }
    default:
      return state;
  }
}
