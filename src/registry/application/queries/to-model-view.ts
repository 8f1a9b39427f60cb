import type { ModelRecord } from '../../infrastructure/model.record.js';
import type { ModelVersionRecord } from '../../infrastructure/model-version.record.js';
import type { ModelView } from './model.view.js';

export function toModelView(m: ModelRecord, versions: ModelVersionRecord[]): ModelView {
  return {
    model_id: m.model_id,
    task_type: m.task_type,
    display_name: m.display_name,
    description: m.description,
    latest_version: m.latest_version,
    versions: versions.map((v) => ({ version: v.version, checksum: v.checksum, source_url: v.source_url, added_at: v.added_at.toISOString() })),
    resource_requirements: m.resource_requirements,
    config: m.config,
    registered_at: m.registered_at.toISOString(),
    updated_at: m.updated_at.toISOString(),
  };
}
