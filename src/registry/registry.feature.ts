import type { ContextFeature } from '../shared/nest/context-feature.js';
import { modelCatalogEvents } from './domain/model-catalog.events.js';
import { ModelCatalogProjection } from './application/projections/model-catalog.projection.js';
import { ModelRecord } from './infrastructure/model.record.js';
import { ModelVersionRecord } from './infrastructure/model-version.record.js';
import { RegistryReadModel1764000000100 } from './infrastructure/1764000000100-registry-read-model.js';

/** The registry's part of the kernel: catalog events, the catalog read model and its tables. */
export const registryFeature: ContextFeature = {
  name: 'registry',
  events: modelCatalogEvents,
  projections: [ModelCatalogProjection],
  entities: [ModelRecord, ModelVersionRecord],
  migrations: [RegistryReadModel1764000000100],
};
