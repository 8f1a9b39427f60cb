import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import { EventSourcedAggregate } from '../../shared/event-sourcing/event-sourced-aggregate.js';
import type { CrashLoopPolicy } from '../domain/crash-loop.js';
import { decideLifecycle, type LoadRequest } from '../domain/model-lifecycle.decide.js';
import { MODEL_LIFECYCLE_MANAGER, type LifecycleEvent, type ModelLoadedPayload, type UnloadReason } from '../domain/model-lifecycle.events.js';
import { emptyLifecycle, evolveLifecycle, type LifecycleState, type ManagedModel } from '../domain/model-lifecycle.state.js';
import type { ModelState } from '../domain/model-state.js';

/** The models this server instance runs: a thin root over the pure lifecycle decisions. */
export class ModelLifecycleManager extends EventSourcedAggregate<LifecycleState> {
  readonly aggregateType = MODEL_LIFECYCLE_MANAGER;
  /** 2: models remember their load trigger, crashes and failures (older snapshots are replayed instead). */
  override readonly snapshotSchemaVersion = 2;

  constructor(id: string) {
    super(id, emptyLifecycle());
  }

  models(): Record<string, ManagedModel> {
    return this.state.models;
  }

  startLoad(request: LoadRequest, policy: CrashLoopPolicy, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.startLoad(this.state, this.id, request, policy, ctx));
  }

  loaded(payload: ModelLoadedPayload, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.loaded(this.state, this.id, payload, ctx));
  }

  loadFailed(modelId: string, error: { code: string; message: string }, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.loadFailed(this.state, this.id, modelId, error, ctx));
  }

  unload(modelId: string, reason: UnloadReason, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.unload(this.state, this.id, modelId, reason, ctx));
  }

  health(modelId: string, next: ModelState, error: string | null, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.health(this.state, this.id, modelId, next, error, ctx));
  }

  crashed(modelId: string, error: string, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.crashed(this.state, this.id, modelId, error, ctx));
  }

  reconcile(alive: (modelId: string) => boolean, ctx: EventContext): LifecycleEvent[] {
    return this.applyAll(decideLifecycle.reconcile(this.state, this.id, alive, ctx));
  }

  protected evolve(state: LifecycleState, event: DomainEvent): LifecycleState {
    return evolveLifecycle(state, event);
  }
}
