import { Injectable, Logger } from '@nestjs/common';
import { ModelNotLoadedError } from '../domain/model-lifecycle.errors.js';
import type { UnloadReason } from '../domain/model-lifecycle.events.js';
import { isRunning } from '../domain/model-state.js';
import type { WorkerExit } from '../infrastructure/workers/worker-errors.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import { LifecycleCommandRunner } from './lifecycle-command-runner.js';
import { ManagedModels } from './managed-models.js';
import { ModelChanges } from './model-changes.js';

/** Every way a model's worker goes: stopped on request, all of them at shutdown, or gone by itself (a crash). */
@Injectable()
export class ModelUnloader {
  private readonly logger = new Logger('Lifecycle');

  constructor(
    private readonly runner: LifecycleCommandRunner,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly changes: ModelChanges,
  ) {}

  /** Waits for a load of this model under way, then stops its worker and records why. */
  async unload(modelId: string, reason: UnloadReason): Promise<void> {
    await this.changes.loadSettled(modelId);
    return this.unloadNow(modelId, reason);
  }

  /** Without waiting for this model's load: a load that swaps versions calls it from inside that very load. */
  async unloadNow(modelId: string, reason: UnloadReason): Promise<void> {
    const m = this.models.get(modelId);
    if (!m || (!isRunning(m.state) && m.state !== 'failed')) throw new ModelNotLoadedError(modelId);
    await this.changes.stop(modelId, async () => {
      await this.workers.stop(modelId);
      await this.runner.run((mgr, ctx) => mgr.unload(modelId, reason, ctx));
    });
    this.logger.log({ msg: 'model unloaded', model_id: modelId, reason });
  }

  /** Shutdown: refuses new loads, lets those under way end, then stops every running model. */
  async unloadAll(reason: UnloadReason): Promise<void> {
    await this.changes.close();
    for (const [id, m] of Object.entries(this.models.all())) {
      if (isRunning(m.state)) await this.unload(id, reason).catch((err) => this.logger.error(`unloading ${id}: ${err}`));
    }
  }

  /** The worker went by itself (an exit nobody asked for, or no process left): failed, then unloaded (crashed). */
  async recordCrash(modelId: string, exit: WorkerExit | string): Promise<void> {
    const why = typeof exit === 'string' ? exit : `worker exited unexpectedly (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`;
    this.logger.warn({ msg: 'worker crashed', model_id: modelId, error: why });
    await this.runner.run((mgr, ctx) => mgr.crashed(modelId, why, ctx)).catch((err) => this.logger.error(`recording crash of ${modelId}: ${err}`));
  }
}
