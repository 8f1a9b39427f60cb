import { Inject, Injectable } from '@nestjs/common';
import type { EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { retryOnConflict } from '../../shared/event-sourcing/retry-on-conflict.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { ModelLifecycleManager } from './model-lifecycle-manager.aggregate.js';

/**
 * Load → decide → save on this instance's manager. Steps are serialised in process (one
 * stream, many models: racing steps would only conflict and retry); other instances
 * have their own manager ids, and conflicts still retry.
 */
@Injectable()
export class LifecycleManagerRepository {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: AggregateRepository,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  execute<T>(decide: (manager: ModelLifecycleManager, ctx: EventContext) => T): Promise<T> {
    const run = this.tail.then(() =>
      retryOnConflict(async () => {
        const manager = await this.load();
        const result = decide(manager, this.context.create());
        await this.repository.save(manager);
        return result;
      }),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  load(): Promise<ModelLifecycleManager> {
    return this.repository.load(new ModelLifecycleManager(this.options.lifecycleManagerId));
  }
}
