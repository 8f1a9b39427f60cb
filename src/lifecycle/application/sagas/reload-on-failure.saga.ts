import { Inject, Injectable } from '@nestjs/common';
import { Saga, type IEvent } from '@nestjs/cqrs';
import { merge, type Observable } from 'rxjs';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { sagaStep } from '../../../shared/nest/safe-saga.js';
import { ModelHealthChanged, ModelLoaded, ModelUnloaded } from '../../domain/model-lifecycle.events.js';
import { LoadModelCommand } from '../commands/load-model/load-model.command.js';
import { UnloadModelCommand } from '../commands/unload-model/unload-model.command.js';
import { ModelLifecycleService } from '../model-lifecycle.service.js';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * A model that crashed or stays unhealthy is reloaded after an exponential backoff,
 * at most `reloadMaxAttempts` times in a row; a successful load resets the count. The
 * count is the saga's memory of one failure streak — losing it on restart only means
 * the streak starts over, and start-up reconciliation already records the crash.
 */
@Injectable()
export class ReloadOnFailureSaga {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly lifecycle: ModelLifecycleService,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  @Saga()
  reload = (events$: Observable<IEvent>) =>
    merge(
      sagaStep(events$, ModelLoaded, (e) => void this.attempts.delete(e.payload.model_id)),
      sagaStep(events$, ModelUnloaded, async (e) => {
        if (e.payload.reason !== 'crashed') return undefined;
        return (await this.backoff(e.payload.model_id)) ? new LoadModelCommand(e.payload.model_id, e.payload.version ?? undefined) : undefined;
      }),
      sagaStep(events$, ModelHealthChanged, async (e) => {
        if (e.payload.new_state !== 'unhealthy') return undefined;
        if (!(await this.backoff(e.payload.model_id))) return undefined;
        // Still unhealthy after the wait: replace the worker. Its unload (crashed) triggers the reload above.
        return this.lifecycle.model(e.payload.model_id)?.state === 'unhealthy' ? new UnloadModelCommand(e.payload.model_id, 'crashed') : undefined;
      }),
    );

  /** Waits the next backoff step; false once the streak used up its attempts. */
  private async backoff(modelId: string): Promise<boolean> {
    const attempt = (this.attempts.get(modelId) ?? 0) + 1;
    if (attempt > this.options.reloadMaxAttempts) return false;
    this.attempts.set(modelId, attempt);
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
    await new Promise((r) => setTimeout(r, delay).unref());
    return true;
  }
}
