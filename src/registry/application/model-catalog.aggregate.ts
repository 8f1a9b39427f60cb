import type { EventContext, DomainEvent } from '../../shared/domain/event-envelope.js';
import { EventSourcedAggregate } from '../../shared/event-sourcing/event-sourced-aggregate.js';
import { decideCatalog, type AddModelVersionInput, type CatalogPolicy, type RegisterModelInput, type UpdateModelInput } from '../domain/model-catalog.decide.js';
import { MODEL_CATALOG, type ModelCatalogEvent, type ModelRegistered } from '../domain/model-catalog.events.js';
import { emptyCatalog, evolveCatalog, type ModelCatalogState } from '../domain/model-catalog.state.js';

/** The one catalog of models: a thin root over the pure decisions in `domain/`. */
export class ModelCatalog extends EventSourcedAggregate<ModelCatalogState> {
  readonly aggregateType = MODEL_CATALOG;

  constructor(
    id: string,
    private readonly policy: CatalogPolicy,
  ) {
    super(id, emptyCatalog());
  }

  register(input: RegisterModelInput, ctx: EventContext): ModelRegistered[] {
    return this.applyAll(decideCatalog.register(this.state, this.id, input, this.policy, ctx));
  }

  addVersion(input: AddModelVersionInput, ctx: EventContext): ModelCatalogEvent[] {
    return this.applyAll(decideCatalog.addVersion(this.state, this.id, input, this.policy, ctx));
  }

  update(input: UpdateModelInput, ctx: EventContext): ModelCatalogEvent[] {
    return this.applyAll(decideCatalog.update(this.state, this.id, input, ctx));
  }

  unregister(modelId: string, ctx: EventContext): ModelCatalogEvent[] {
    return this.applyAll(decideCatalog.unregister(this.state, this.id, modelId, ctx));
  }

  protected evolve(state: ModelCatalogState, event: DomainEvent): ModelCatalogState {
    return evolveCatalog(state, event);
  }
}
