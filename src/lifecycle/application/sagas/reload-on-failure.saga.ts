import { Inject, Injectable, Logger } from '@nestjs/common';
import { Saga, type IEvent } from '@nestjs/cqrs';
import { merge, type Observable } from 'rxjs';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { sagaStep } from '../../../shared/nest/safe-saga.js';
import { CrashLoopError } from '../../domain/crash-loop.js';
import { ModelHealthChanged, ModelLoaded, ModelUnloaded } from '../../domain/model-lifecycle.events.js';
import { LoadModelCommand } from '../commands/load-model/load-model.command.js';
import { UnloadModelCommand } from '../commands/unload-model/unload-model.command.js';
import { CrashLoopBreaker } from '../crash-loop-breaker.js';
import { postAlert } from '../reactions/alert-webhook.js';
import { ManagedModels } from '../managed-models.js';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/**
 * A model that crashed or stays unhealthy is reloaded after an exponential backoff,
 * at most `reloadMaxAttempts` times in a row; a successful load resets the count. The
 * count is the saga's memory of one failure streak — losing it on restart only means
 * the streak starts over, and start-up reconciliation already records the crash.
 * A model that crashes `crashLoopMaxCrashes` times within `crashLoopWindowMs` —
 * successful loads in between or not — is not reloaded at all (crash-loop breaker, with
 * an alert) until someone loads it explicitly.
 */
@Injectable()
export class ReloadOnFailureSaga {
  private readonly attempts = new Map<string, number>();
  private readonly alerts = new Logger('Alerts');

  constructor(
    private readonly models: ManagedModels,
    private readonly breaker: CrashLoopBreaker,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  @Saga()
  reload = (events$: Observable<IEvent>) =>
    merge(
      sagaStep(events$, ModelLoaded, (e) => void this.attempts.delete(e.payload.model_id)),
      sagaStep(events$, ModelUnloaded, async (e) => {
        if (e.payload.reason !== 'crashed') return undefined;
        const modelId = e.payload.model_id;
        if (this.breaker.crashed(modelId, Date.parse(e.timestamp))) await this.alertCrashLoop(e);
        if (this.breaker.isOpen(modelId)) return undefined;
        if (!(await this.backoff(modelId))) return undefined;
        // The breaker may have opened during the wait (another crash recorded meanwhile).
        return this.breaker.isOpen(modelId) ? undefined : new LoadModelCommand(modelId, e.payload.version ?? undefined, 'recovery');
      }),
      sagaStep(events$, ModelHealthChanged, async (e) => {
        if (e.payload.new_state !== 'unhealthy') return undefined;
        if (!(await this.backoff(e.payload.model_id))) return undefined;
        // Still unhealthy after the wait: replace the worker. Its unload (crashed) triggers the reload above.
        return this.models.state(e.payload.model_id) === 'unhealthy' ? new UnloadModelCommand(e.payload.model_id, 'crashed') : undefined;
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

  private async alertCrashLoop(e: ModelUnloaded): Promise<void> {
    const text = `Model ${e.payload.model_id} is crash-looping: ${new CrashLoopError(e.payload.model_id, this.breaker.policy).message}`;
    this.alerts.error({ msg: text, model_id: e.payload.model_id, event_id: e.event_id });
    await postAlert(this.options.alertWebhook, { text, event: e.toEnvelope() }, this.alerts);
  }
}
