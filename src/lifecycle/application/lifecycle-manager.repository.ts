import { Inject, Injectable } from '@nestjs/common';
import type { EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { retryOnConflict } from '../../shared/event-sourcing/retry-on-conflict.js';
import { SerialExecutor } from '../../shared/event-sourcing/serial-executor.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { ModelLifecycleManager } from './model-lifecycle-manager.aggregate.js';

/** Load → decide → save on this instance's manager, one step at a time (see SerialExecutor). */
@Injectable()
export class LifecycleManagerRepository {
  private readonly serial = new SerialExecutor();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  execute<T>(decide: (manager: ModelLifecycleManager, ctx: EventContext) => T): Promise<T> {
    return this.serial.run(() =>
      retryOnConflict(async () => {
        const manager = await this.load();
        const result = decide(manager, this.context.create());
        await this.repository.save(manager);
        return result;
      }),
    );
  }

  load(): Promise<ModelLifecycleManager> {
    return this.repository.load(new ModelLifecycleManager(this.options.lifecycleManagerId));
  }
}
