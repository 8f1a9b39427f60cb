import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RegistryReadModel1764000000100 implements MigrationInterface {
  name = 'RegistryReadModel1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry_models (
        model_id VARCHAR(255) PRIMARY KEY,
        task_type VARCHAR(64) NOT NULL,
        display_name VARCHAR(255),
        description TEXT,
        latest_version VARCHAR(64) NOT NULL,
        resource_requirements JSONB NOT NULL DEFAULT '{}'::jsonb,
        config JSONB NOT NULL DEFAULT '{}'::jsonb,
        registered_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_registry_models_task_type ON registry_models(task_type, model_id)`);
    await q.query(`
      CREATE TABLE registry_model_versions (
        model_id VARCHAR(255) NOT NULL,
        version VARCHAR(64) NOT NULL,
        checksum VARCHAR(80),
        source_url TEXT,
        added_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (model_id, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registry_model_versions`);
    await q.query(`DROP TABLE registry_models`);
  }
}
