import { Injectable } from '@nestjs/common';
import type { ManagedModel } from '../domain/model-lifecycle.state.js';

/**
 * Loads and stops of models under way on this instance: one load of a model at a time
 * (concurrent callers share it), an unload waits for it, and meanwhile a model's process
 * and its recorded state may disagree without that being a crash.
 */
@Injectable()
export class ModelChanges {
  private readonly loads = new Map<string, Promise<ManagedModel>>();
  private readonly stopping = new Set<string>();

  isChanging(modelId: string): boolean {
    return this.loads.has(modelId) || this.stopping.has(modelId);
  }

  /** Joins this model's load under way, or starts `load`. */
  load(modelId: string, load: () => Promise<ManagedModel>): Promise<ManagedModel> {
    const inFlight = this.loads.get(modelId);
    if (inFlight) return inFlight;
    const run = load().finally(() => this.loads.delete(modelId));
    this.loads.set(modelId, run);
    return run;
  }

  /** Resolves once this model's load under way, if any, has ended (however it ended). */
  async loadSettled(modelId: string): Promise<void> {
    await this.loads.get(modelId)?.catch(() => undefined);
  }

  /** Runs `stop` with the model marked as stopping. */
  async stop(modelId: string, stop: () => Promise<void>): Promise<void> {
    this.stopping.add(modelId);
    try {
      await stop();
    } finally {
      this.stopping.delete(modelId);
    }
  }
}
