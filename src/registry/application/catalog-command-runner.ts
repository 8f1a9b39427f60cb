import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { sourceRootsAsWritten } from '../../shared/config/source-roots.js';
import { AggregateCommandRunner } from '../../shared/event-sourcing/aggregate-command-runner.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { ModelCatalog } from './model-catalog.aggregate.js';

/** Runs every catalog command on the one catalog (see AggregateCommandRunner). */
@Injectable()
export class CatalogCommandRunner extends AggregateCommandRunner<ModelCatalog> {
  constructor(repository: AggregateRepository, context: EventContextFactory, @Inject(MODELMORA_OPTIONS) options: ModelMoraOptions) {
    const policy = { sourceRoots: sourceRootsAsWritten(options.sourceRoots) };
    super(repository, () => context.create(), () => new ModelCatalog(options.catalogId, policy));
  }
}
