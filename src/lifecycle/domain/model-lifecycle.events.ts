import { DomainEvent } from '../../shared/domain/event-envelope.js';
import type { ModelState } from './model-state.js';

export const MODEL_LIFECYCLE_MANAGER = 'model_lifecycle_manager';

export type UnloadReason = 'manual' | 'lru_eviction' | 'unregistered' | 'crashed' | 'idle' | 'shutdown';

/** Names, element types and dims of a model's inputs or outputs (symbolic dims as strings). */
export interface IoInfo {
  name: string;
  type: string;
  dims: Array<number | string>;
}

/** Who asked for a load: an operator (`explicit`), a job for a model not loaded (`lazy`), or the reload after a failure (`recovery`). */
export type LoadTrigger = 'explicit' | 'lazy' | 'recovery';

/** Version 2 added `trigger` (see model-lifecycle.upcasters.ts). */
export class ModelLoadStarted extends DomainEvent<{ model_id: string; version: string; trigger: LoadTrigger }> {
  static readonly eventType = 'model.load.started';
  static readonly schemaVersion = 2;
  declare readonly event_type: 'model.load.started';
}

export interface ModelLoadedPayload extends Record<string, unknown> {
  model_id: string;
  version: string;
  /** The worker's measured RSS after the load. */
  memory_mb: number;
  /** The worker process's real PID. */
  process_id: number;
  task_type: string;
  load_time_ms: number;
  inputs: IoInfo[];
  outputs: IoInfo[];
}

export class ModelLoaded extends DomainEvent<ModelLoadedPayload> {
  static readonly eventType = 'model.loaded';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'model.loaded';
}

export class ModelLoadFailed extends DomainEvent<{ model_id: string; version: string; error_code: string; error_message: string }> {
  static readonly eventType = 'model.load.failed';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'model.load.failed';
}

export class ModelUnloaded extends DomainEvent<{ model_id: string; reason: UnloadReason; uptime_seconds: number; version: string | null }> {
  static readonly eventType = 'model.unloaded';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'model.unloaded';
}

export class ModelHealthChanged extends DomainEvent<{
  model_id: string;
  previous_state: ModelState;
  new_state: ModelState;
  error_message: string | null;
}> {
  static readonly eventType = 'model.health.changed';
  static readonly schemaVersion = 1;
  declare readonly event_type: 'model.health.changed';
}

export const lifecycleEvents = [ModelLoadStarted, ModelLoaded, ModelLoadFailed, ModelUnloaded, ModelHealthChanged];
export type LifecycleEvent = ModelLoadStarted | ModelLoaded | ModelLoadFailed | ModelUnloaded | ModelHealthChanged;
