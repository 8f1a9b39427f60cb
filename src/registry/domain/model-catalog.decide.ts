import { createEvent, type EventContext } from '../../shared/domain/event-envelope.js';
import {
  MODEL_CATALOG, ModelRegistered, ModelUnregistered, ModelUpdated, ModelVersionAdded,
  type ModelCatalogEvent, type ModelUpdatedPayload, type ResourceRequirements,
} from './model-catalog.events.js';
import { ModelAlreadyExistsError, ModelNotFoundError, VersionAlreadyExistsError } from './model-catalog.errors.js';
import type { ModelCatalogState } from './model-catalog.state.js';
import { assertChecksum, assertModelId, assertServingConfig, assertTaskType, assertVersion } from './model-rules.js';
import { assertSourceAllowed, assertSourceUrlHasNoCredentials } from './source-url-rules.js';

export interface RegisterModelInput {
  model_id: string;
  task_type: string;
  version?: string;
  display_name?: string | null;
  description?: string | null;
  source_url?: string | null;
  checksum?: string | null;
  resource_requirements?: ResourceRequirements;
  config?: Record<string, unknown>;
}

export interface AddModelVersionInput {
  model_id: string;
  version: string;
  checksum?: string | null;
  source_url?: string | null;
}

export type UpdateModelInput = { model_id: string } & ModelUpdatedPayload['changes'];

/** The operator's settings the catalog's decisions obey. */
export interface CatalogPolicy {
  /** Absolute folders a local source must lie under (MODELMORA_SOURCE_ROOTS). */
  sourceRoots: readonly string[];
}

/** The catalog's decisions: pure functions of (state, input, context) → events, or a thrown DomainError. */
export const decideCatalog = {
  register(state: ModelCatalogState, catalogId: string, input: RegisterModelInput, policy: CatalogPolicy, ctx: EventContext): [ModelRegistered] {
    assertModelId(input.model_id);
    assertTaskType(input.task_type);
    const version = input.version ?? 'main';
    assertVersion(version);
    assertChecksum(input.checksum);
    assertSourceUrlHasNoCredentials(input.source_url);
    assertSourceAllowed(input.source_url, policy.sourceRoots);
    assertServingConfig(input.config);
    if (state.models[input.model_id]) throw new ModelAlreadyExistsError(input.model_id);
    return [
      createEvent(ModelRegistered, agg(catalogId), {
        model_id: input.model_id,
        task_type: input.task_type,
        version,
        display_name: input.display_name ?? null,
        description: input.description ?? null,
        source_url: input.source_url ?? null,
        checksum: input.checksum ?? null,
        resource_requirements: input.resource_requirements ?? {},
        config: input.config ?? {},
      }, ctx),
    ];
  },

  addVersion(state: ModelCatalogState, catalogId: string, input: AddModelVersionInput, policy: CatalogPolicy, ctx: EventContext): ModelCatalogEvent[] {
    const model = existing(state, input.model_id);
    assertVersion(input.version);
    assertChecksum(input.checksum);
    assertSourceUrlHasNoCredentials(input.source_url);
    assertSourceAllowed(input.source_url, policy.sourceRoots);
    if (model.versions[input.version]) throw new VersionAlreadyExistsError(input.model_id, input.version);
    return [
      createEvent(ModelVersionAdded, agg(catalogId), {
        model_id: input.model_id,
        version: input.version,
        checksum: input.checksum ?? null,
        source_url: input.source_url ?? null,
      }, ctx),
    ];
  },

  update(state: ModelCatalogState, catalogId: string, input: UpdateModelInput, ctx: EventContext): ModelCatalogEvent[] {
    existing(state, input.model_id);
    assertServingConfig(input.config);
    const { model_id, ...changes } = input;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length === 0) return []; // nothing changed: no fact to record
    return [createEvent(ModelUpdated, agg(catalogId), { model_id, changes: defined }, ctx)];
  },

  unregister(state: ModelCatalogState, catalogId: string, modelId: string, ctx: EventContext): ModelCatalogEvent[] {
    existing(state, modelId);
    return [createEvent(ModelUnregistered, agg(catalogId), { model_id: modelId }, ctx)];
  },
};

const agg = (id: string) => ({ id, type: MODEL_CATALOG });

function existing(state: ModelCatalogState, modelId: string) {
  assertModelId(modelId);
  const model = state.models[modelId];
  if (!model) throw new ModelNotFoundError(modelId);
  return model;
}
