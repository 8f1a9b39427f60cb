import { Injectable } from '@nestjs/common';
import type { ManagedModel } from '../domain/model-lifecycle.state.js';
import type { ModelState } from '../domain/model-state.js';

/**
 * Read view of this instance's models as of the last committed lifecycle step:
 * synchronous reads for routing, sagas and status. Only LifecycleCommandRunner moves it.
 */
@Injectable()
export class ManagedModels {
  private models: Readonly<Record<string, ManagedModel>> = {};

  get(modelId: string): ManagedModel | undefined {
    return this.models[modelId];
  }

  /** 'unloaded' for a model this instance never touched. */
  state(modelId: string): ModelState {
    return this.models[modelId]?.state ?? 'unloaded';
  }

  all(): Readonly<Record<string, ManagedModel>> {
    return this.models;
  }

  /** The manager's models once a step committed. */
  committed(models: Readonly<Record<string, ManagedModel>>): void {
    this.models = models;
  }
}
