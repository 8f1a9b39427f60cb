import type { DomainEvent } from '../../shared/domain/event-envelope.js';
import type { IoInfo, LifecycleEvent } from './model-lifecycle.events.js';
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
}

/** Every model this manager has touched. JSON-safe: it is the snapshot. */
export interface LifecycleState {
  models: Record<string, ManagedModel>;
}

export const emptyLifecycle = (): LifecycleState => ({ models: {} });

export const unknownModel = (): ManagedModel => ({
  state: 'unloaded', version: null, task_type: null, process_id: null, memory_mb: null,
  loaded_at: null, last_rss_mb: null, io: null, last_error: null,
});

export function evolveLifecycle(state: LifecycleState, event: DomainEvent): LifecycleState {
  const e = event as LifecycleEvent;
  const id = e.payload.model_id;
  const m = state.models[id] ?? unknownModel();
  const put = (next: Partial<ManagedModel>): LifecycleState => ({ models: { ...state.models, [id]: { ...m, ...next } } });
  switch (e.event_type) {
    case 'model.load.started':
      return put({ state: 'loading', version: e.payload.version, last_error: null });
    case 'model.loaded':
      return put({
        state: 'loaded', version: e.payload.version, task_type: e.payload.task_type, process_id: e.payload.process_id,
        memory_mb: e.payload.memory_mb, last_rss_mb: e.payload.memory_mb, loaded_at: e.timestamp,
        io: { inputs: e.payload.inputs, outputs: e.payload.outputs },
      });
    case 'model.load.failed':
      return put({ state: 'failed', process_id: null, memory_mb: null, last_error: e.payload.error_message });
    case 'model.health.changed':
      return put({ state: e.payload.new_state, last_error: e.payload.error_message });
    case 'model.unloaded':
      return put({ state: 'unloaded', process_id: null, memory_mb: null, loaded_at: null });
    default:
      return state;
  }
}
