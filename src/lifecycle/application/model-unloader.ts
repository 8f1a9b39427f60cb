import { Injectable, Logger } from '@nestjs/common';
import type { UnloadReason } from '../domain/model-lifecycle.events.js';
import { assertUnloadable } from '../domain/model-lifecycle.rules.js';
import { isRunning } from '../domain/model-state.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import { LifecycleCommandRunner } from './lifecycle-command-runner.js';
import { LoadsInFlight } from './loads-in-flight.js';
import { ManagedModels } from './managed-models.js';

/** Every way a model's worker is stopped: on request, to make room, or all of them at shutdown. */
@Injectable()
export class ModelUnloader {
  private readonly logger = new Logger('Lifecycle');

  constructor(
    private readonly runner: LifecycleCommandRunner,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly inFlight: LoadsInFlight,
  ) {}

  /** Waits for a load of this model under way, then stops its worker and records why. */
  async unload(modelId: string, reason: UnloadReason): Promise<void> {
    await this.inFlight.settled(modelId);
    return this.unloadNow(modelId, reason);
  }

  /** Without waiting for this model's load: a load that swaps versions calls it from inside that very load. */
  async unloadNow(modelId: string, reason: UnloadReason): Promise<void> {
    assertUnloadable(modelId, this.models.get(modelId));
    await this.inFlight.whileStopping(modelId, async () => {
      await this.workers.stop(modelId);
      await this.runner.run((mgr, ctx) => mgr.unload(modelId, reason, ctx));
    });
    this.logger.log({ msg: 'model unloaded', model_id: modelId, reason });
  }

  /** Shutdown: refuses new loads, lets those under way end, then stops every running model. */
  async unloadAll(reason: UnloadReason): Promise<void> {
    await this.inFlight.close();
    for (const [id, m] of Object.entries(this.models.all())) {
      if (isRunning(m.state)) await this.unload(id, reason).catch((err) => this.logger.error(`unloading ${id}: ${err}`));
    }
  }
}
