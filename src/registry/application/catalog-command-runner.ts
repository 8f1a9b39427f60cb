import { Inject, Injectable } from '@nestjs/common';
import type { EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { sourceRootsAsWritten } from '../../shared/config/source-roots.js';
import { AggregateRepository } from '../../shared/event-sourcing/aggregate-repository.js';
import { retryOnConflict } from '../../shared/event-sourcing/retry-on-conflict.js';
import { SerialExecutor } from '../../shared/event-sourcing/serial-executor.js';
import { EventContextFactory } from '../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import type { StoredEvent } from '../../shared/event-store/stored-event.js';
import { ModelCatalog } from './model-catalog.aggregate.js';

/** Runs every catalog command: load the one catalog, let it decide, save — queued in process, retried on conflict across processes. */
@Injectable()
export class CatalogCommandRunner {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  private readonly serial = new SerialExecutor();
  private readonly policy = { sourceRoots: sourceRootsAsWritten(this.options.sourceRoots) };

  run(decide: (catalog: ModelCatalog, ctx: EventContext) => void): Promise<StoredEvent[]> {
    return this.serial.run(() =>
      retryOnConflict(async () => {
        const catalog = await this.repository.load(new ModelCatalog(this.options.catalogId, this.policy));
        decide(catalog, this.context.create());
        return this.repository.save(catalog);
      }),
    );
  }
}
