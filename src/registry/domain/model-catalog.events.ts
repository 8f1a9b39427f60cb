import { DomainEvent } from '../../shared/domain/event-envelope.js';

export const MODEL_CATALOG = 'model_catalog';

export interface ResourceRequirements {
  memory_mb?: number;
  gpu_vram_mb?: number;
  cpu_threads?: number;
}

export interface ModelRegisteredPayload extends Record<string, unknown> {
  model_id: string;
  task_type: string;
  version: string;
  display_name: string | null;
  description: string | null;
  source_url: string | null;
  checksum: string | null;
  resource_requirements: ResourceRequirements;
  config: Record<string, unknown>;
}

export class ModelRegistered extends DomainEvent<ModelRegisteredPayload> {
  static readonly eventType = 'model.registered';
  declare readonly event_type: 'model.registered';
  static readonly schemaVersion = 1;
}

export interface ModelVersionAddedPayload extends Record<string, unknown> {
  model_id: string;
  version: string;
  /** `sha256:<64 hex>`, or null when the version was added without files to verify. */
  checksum: string | null;
  source_url: string | null;
}

export class ModelVersionAdded extends DomainEvent<ModelVersionAddedPayload> {
  static readonly eventType = 'model.version.added';
  declare readonly event_type: 'model.version.added';
  static readonly schemaVersion = 1;
}

export interface ModelUpdatedPayload extends Record<string, unknown> {
  model_id: string;
  changes: {
    display_name?: string | null;
    description?: string | null;
    config?: Record<string, unknown>;
    resource_requirements?: ResourceRequirements;
  };
}

export class ModelUpdated extends DomainEvent<ModelUpdatedPayload> {
  static readonly eventType = 'model.updated';
  declare readonly event_type: 'model.updated';
  static readonly schemaVersion = 1;
}

export class ModelUnregistered extends DomainEvent<{ model_id: string }> {
  static readonly eventType = 'model.unregistered';
  declare readonly event_type: 'model.unregistered';
  static readonly schemaVersion = 1;
}

export const modelCatalogEvents = [ModelRegistered, ModelVersionAdded, ModelUpdated, ModelUnregistered];
export type ModelCatalogEvent = ModelRegistered | ModelVersionAdded | ModelUpdated | ModelUnregistered;
