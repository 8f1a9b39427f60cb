import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../shared/database/database.js';
import type { InlineProjection } from '../../../shared/event-sourcing/inline-projection.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import type { ModelCatalogEvent } from '../../domain/model-catalog.events.js';
import { ModelRecord } from '../../infrastructure/model.record.js';
import { ModelVersionRecord } from '../../infrastructure/model-version.record.js';

/** Keeps `registry_models` / `registry_model_versions` in step with the catalog, in the append's transaction. */
@Injectable()
export class ModelCatalogProjection implements InlineProjection {
  readonly name = 'registry.models';

  async project(tx: Tx, events: readonly StoredEvent[]): Promise<void> {
    const models = tx.repository(ModelRecord);
    const versions = tx.repository(ModelVersionRecord);
    for (const { event } of events) {
      const e = event as ModelCatalogEvent;
      const at = new Date(e.timestamp);
      switch (e.event_type) {
        case 'model.registered': {
          const p = e.payload;
          // JSONB columns go through SQL: TypeORM's deep-partial typing cannot express them.
          await tx.query(
            `INSERT INTO registry_models (model_id, task_type, display_name, description, latest_version, resource_requirements, config, registered_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $8)`,
            [p.model_id, p.task_type, p.display_name, p.description, p.version, JSON.stringify(p.resource_requirements), JSON.stringify(p.config), at],
          );
          await versions.insert({ model_id: p.model_id, version: p.version, checksum: p.checksum, source_url: p.source_url, added_at: at });
          break;
        }
        case 'model.version.added': {
          const p = e.payload;
          await versions.insert({ model_id: p.model_id, version: p.version, checksum: p.checksum, source_url: p.source_url, added_at: at });
          await models.update({ model_id: p.model_id }, { latest_version: p.version, updated_at: at });
          break;
        }
        case 'model.updated': {
          const { model_id, changes } = e.payload;
          const sets = ['updated_at = $2'];
          const params: unknown[] = [model_id, at];
          if (changes.display_name !== undefined) sets.push(`display_name = $${params.push(changes.display_name)}`);
          if (changes.description !== undefined) sets.push(`description = $${params.push(changes.description)}`);
          if (changes.config !== undefined) sets.push(`config = $${params.push(JSON.stringify(changes.config))}::jsonb`);
          if (changes.resource_requirements !== undefined) {
            sets.push(`resource_requirements = $${params.push(JSON.stringify(changes.resource_requirements))}::jsonb`);
          }
          await tx.query(`UPDATE registry_models SET ${sets.join(', ')} WHERE model_id = $1`, params);
          break;
        }
        case 'model.unregistered':
          await versions.delete({ model_id: e.payload.model_id });
          await models.delete({ model_id: e.payload.model_id });
          break;
      }
    }
  }

  async reset(tx: Tx): Promise<void> {
    await tx.query(`DELETE FROM registry_model_versions`);
    await tx.query(`DELETE FROM registry_models`);
  }
}
