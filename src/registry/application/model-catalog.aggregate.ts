import type { EventContext, DomainEvent } from '../../shared/domain/event-envelope.js';
import { EventSourcedAggregate } from '../../shared/event-sourcing/event-sourced-aggregate.js';
import { decide, type AddModelVersionInput, type CatalogPolicy, type RegisterModelInput, type UpdateModelInput } from '../domain/model-catalog.decide.js';
import { MODEL_CATALOG } from '../domain/model-catalog.events.js';
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

  register(input: RegisterModelInput, ctx: EventContext): void {
    this.applyAll(decide.register(this.state, this.id, input, this.policy, ctx));
  }

  addVersion(input: AddModelVersionInput, ctx: EventContext): void {
    this.applyAll(decide.addVersion(this.state, this.id, input, this.policy, ctx));
  }

  update(input: UpdateModelInput, ctx: EventContext): void {
    this.applyAll(decide.update(this.state, this.id, input, ctx));
  }

  unregister(modelId: string, ctx: EventContext): void {
    this.applyAll(decide.unregister(this.state, this.id, modelId, ctx));
  }

  protected evolve(state: ModelCatalogState, event: DomainEvent): ModelCatalogState {
    return evolveCatalog(state, event);
  }

  private applyAll(events: DomainEvent[]): void {
    for (const e of events) this.apply(e);
  }
}
