import { Injectable } from '@nestjs/common';
import { DomainError } from '../../shared/domain/domain-error.js';
import type { ManagedModel } from '../domain/model-lifecycle.state.js';

/**
 * The loads (and stops) of models under way on this instance: one load of a model at a time
 * (concurrent callers share it), an unload waits for it, and meanwhile a model's process and
 * its recorded state may disagree without that being a crash.
 */
@Injectable()
export class LoadsInFlight {
  private readonly loads = new Map<string, Promise<ManagedModel>>();
  private readonly stopping = new Set<string>();
  private closed = false;

  /** A load or a stop of this model is under way. */
  busy(modelId: string): boolean {
    return this.loads.has(modelId) || this.stopping.has(modelId);
  }

  /** Joins this model's load under way, or starts `load`; refused once the instance shuts down. */
  join(modelId: string, load: () => Promise<ManagedModel>): Promise<ManagedModel> {
    const inFlight = this.loads.get(modelId);
    if (inFlight) return inFlight;
    if (this.closed) return Promise.reject(new DomainError('SERVICE_UNAVAILABLE', `not loading ${modelId}: this instance is shutting down`));
    const run = load().finally(() => this.loads.delete(modelId));
    this.loads.set(modelId, run);
    return run;
  }

  /** Resolves once this model's load under way, if any, has ended (however it ended). */
  async settled(modelId: string): Promise<void> {
    await this.loads.get(modelId)?.catch(() => undefined);
  }

  /** Shutdown: no load starts from now on (it would leave a worker nobody stops); resolves once those under way ended. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.loads.values()].map((load) => load.catch(() => undefined)));
  }

  /** Runs `stop` with the model marked as stopping. */
  async whileStopping(modelId: string, stop: () => Promise<void>): Promise<void> {
    this.stopping.add(modelId);
    try {
      await stop();
    } finally {
      this.stopping.delete(modelId);
    }
  }
}
