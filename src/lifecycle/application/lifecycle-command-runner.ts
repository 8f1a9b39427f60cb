import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { AggregateCommandRunner } from '../../shared/event-sourcing/aggregate-command-runner.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { ManagedModels } from './managed-models.js';
import { ModelLifecycleManager } from './model-lifecycle-manager.aggregate.js';

/** Runs one decision on this instance's lifecycle manager (see AggregateCommandRunner); ManagedModels moves before the events are published. */
@Injectable()
export class LifecycleCommandRunner extends AggregateCommandRunner<ModelLifecycleManager> {
  constructor(repository: AggregateRepository, context: EventContextFactory, view: ManagedModels, @Inject(MODELMORA_OPTIONS) options: ModelMoraOptions) {
    super(repository, () => context.create(), () => new ModelLifecycleManager(options.lifecycleManagerId), (manager) => view.committed(manager.models()));
  }
}
