import type { ModelCatalogEvent, ResourceRequirements } from './model-catalog.events.js';
import type { DomainEvent } from '../../shared/domain/event-envelope.js';

export interface CatalogVersion {
  checksum: string | null;
  source_url: string | null;
}

export interface CatalogModel {
  task_type: string;
  latest_version: string;
  versions: Record<string, CatalogVersion>;
  resource_requirements: ResourceRequirements;
  config: Record<string, unknown>;
}

/** What the catalog must remember to decide: registered ids and their versions. JSON-safe, so it snapshots as is. */
export interface ModelCatalogState {
  models: Record<string, CatalogModel>;
}

export const emptyCatalog = (): ModelCatalogState => ({ models: {} });

export function evolveCatalog(state: ModelCatalogState, event: DomainEvent): ModelCatalogState {
  const e = event as ModelCatalogEvent;
  switch (e.event_type) {
    case 'model.registered': {
      const p = e.payload;
      return {
        models: {
          ...state.models,
          [p.model_id]: {
            task_type: p.task_type,
            latest_version: p.version,
            versions: { [p.version]: { checksum: p.checksum, source_url: p.source_url } },
            resource_requirements: p.resource_requirements,
            config: p.config,
          },
        },
      };
    }
    case 'model.version.added': {
      const p = e.payload;
      const model = state.models[p.model_id]!;
      return {
        models: {
          ...state.models,
          [p.model_id]: {
            ...model,
            latest_version: p.version,
            versions: { ...model.versions, [p.version]: { checksum: p.checksum, source_url: p.source_url } },
          },
        },
      };
    }
    case 'model.updated': {
      const { model_id, changes } = e.payload;
      const model = state.models[model_id]!;
      return {
        models: {
          ...state.models,
          [model_id]: {
            ...model,
            config: changes.config ?? model.config,
            resource_requirements: changes.resource_requirements ?? model.resource_requirements,
          },
        },
      };
    }
    case 'model.unregistered': {
      const { [e.payload.model_id]: _gone, ...rest } = state.models;
      return { models: rest };
    }
    default:
      return state;
  }
}
