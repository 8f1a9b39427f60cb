import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import { CommandScheduler } from '../../../../shared/nest/command-scheduler.js';
import { MODELMORA_OPTIONS } from '../../../../shared/nest/tokens.js';
import { CrashLoopError, crashLoopOpenedByLastCrash } from '../../../domain/crash-loop.js';
import type { LifecycleEvent } from '../../../domain/model-lifecycle.events.js';
import { planRecovery, type RecoveryPolicy } from '../../../domain/recovery.js';
import { recoveryPolicy } from '../../lifecycle-policies.js';
import { ManagedModels } from '../../managed-models.js';
import { postAlert } from '../../reactions/alert-webhook.js';
import { LoadModelCommand } from '../load-model/load-model.command.js';
import { ReplaceWorkerCommand } from '../replace-worker/replace-worker.command.js';
import { RecoverModelCommand } from './recover-model.command.js';

@CommandHandler(RecoverModelCommand)
export class RecoverModelHandler implements ICommandHandler<RecoverModelCommand> {
  private readonly alerts = new Logger('Alerts');
  private readonly policy: RecoveryPolicy;

  constructor(
    private readonly models: ManagedModels,
    private readonly scheduler: CommandScheduler,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    this.policy = recoveryPolicy(options);
  }

  async execute({ cause, event }: RecoverModelCommand): Promise<void> {
    const modelId = event.payload.model_id;
    const model = this.models.get(modelId);
    if (!model) return;
    const plan = planRecovery(model, cause, this.policy);
    if (plan.action === 'reload') this.scheduler.schedule(new LoadModelCommand(modelId, plan.version ?? undefined, 'recovery'), plan.delayMs);
    if (plan.action === 'replace') this.scheduler.schedule(new ReplaceWorkerCommand(modelId), plan.delayMs);
    if (plan.action === 'none' && plan.why === 'crash_loop' && cause === 'crashed' && crashLoopOpenedByLastCrash(model.crashes_ms, this.policy.crashLoop)) {
      await this.alertCrashLoop(modelId, event);
    }
  }

  private async alertCrashLoop(modelId: string, event: LifecycleEvent): Promise<void> {
    const text = `Model ${modelId} is crash-looping: ${new CrashLoopError(modelId, this.policy.crashLoop).message}`;
    this.alerts.error({ msg: text, model_id: modelId, event_id: event.event_id });
    await postAlert(this.options.alertWebhook, { text, event: event.toEnvelope() }, this.alerts);
  }
}
