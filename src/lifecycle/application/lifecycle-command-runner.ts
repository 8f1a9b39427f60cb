import { Inject, Injectable } from '@nestjs/common';
import type { EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { retryOnConflict } from '../../shared/event-sourcing/retry-on-conflict.js';
import { SerialExecutor } from '../../shared/event-sourcing/serial-executor.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { ManagedModels } from './managed-models.js';
import { ModelLifecycleManager } from './model-lifecycle-manager.aggregate.js';

/**
 * Runs one decision on this instance's lifecycle manager: load → decide → save, one step at
 * a time (see SerialExecutor), retried on conflict. The ManagedModels view moves once it committed.
 */
@Injectable()
export class LifecycleCommandRunner {
  private readonly serial = new SerialExecutor();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly context: EventContextFactory,
    private readonly view: ManagedModels,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async run<T>(decide: (manager: ModelLifecycleManager, ctx: EventContext) => T): Promise<T> {
    const { result, models } = await this.serial.run(() =>
      retryOnConflict(async () => {
        const manager = await this.repository.load(new ModelLifecycleManager(this.options.lifecycleManagerId));
        const result = decide(manager, this.context.create());
        await this.repository.save(manager);
        return { result, models: manager.models() };
      }),
    );
    this.view.committed(models);
    return result;
  }
}
