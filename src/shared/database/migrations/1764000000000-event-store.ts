import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seed's `event_store` (columns and three indexes unchanged) plus what event
 * sourcing needs: the stream version with its uniqueness (optimistic concurrency),
 * a global `position` for catch-up readers, and metadata for correlation.
 */
export class EventStore1764000000000 implements MigrationInterface {
  name = 'EventStore1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_store (
        event_id UUID PRIMARY KEY,
        event_type VARCHAR(255) NOT NULL,
        aggregate_id UUID NOT NULL,
        aggregate_type VARCHAR(255) NOT NULL,
        payload JSONB NOT NULL,
        timestamp TIMESTAMP NOT NULL,
        version INTEGER NOT NULL,
        aggregate_version INTEGER NOT NULL,
        position BIGINT GENERATED ALWAYS AS IDENTITY,
        metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT uq_event_store_stream_version UNIQUE (aggregate_id, aggregate_version)
      )`);
    await q.query(`CREATE INDEX idx_event_store_aggregate ON event_store(aggregate_id)`);
    await q.query(`CREATE INDEX idx_event_store_type ON event_store(event_type)`);
    await q.query(`CREATE INDEX idx_event_store_timestamp ON event_store(timestamp)`);
    await q.query(`CREATE UNIQUE INDEX idx_event_store_position ON event_store(position)`);
    await q.query(`
      CREATE TABLE snapshots (
        aggregate_id UUID PRIMARY KEY,
        aggregate_type VARCHAR(255) NOT NULL,
        aggregate_version INTEGER NOT NULL,
        schema_version INTEGER NOT NULL,
        state JSONB NOT NULL,
        taken_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE checkpoints (
        name VARCHAR(255) PRIMARY KEY,
        position BIGINT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE checkpoints`);
    await q.query(`DROP TABLE snapshots`);
    await q.query(`DROP TABLE event_store`);
  }
}
