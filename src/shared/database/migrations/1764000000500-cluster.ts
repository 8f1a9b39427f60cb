import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scale-out: `transaction_id` orders catch-up reads without a global lock (rows stored before get
 * this migration's id, and checkpoints move to it); `instances` holds the leases' heartbeats.
 */
export class Cluster1764000000500 implements MigrationInterface {
  name = 'Cluster1764000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_store ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX idx_event_store_transaction ON event_store(transaction_id, position)`);
    await q.query(`ALTER TABLE checkpoints ADD COLUMN transaction_id xid8 NOT NULL DEFAULT '0'`);
    await q.query(`UPDATE checkpoints SET transaction_id = pg_current_xact_id()`);
    await q.query(`
      CREATE TABLE instances (
        instance_id VARCHAR(64) PRIMARY KEY,
        lease_key BIGINT NOT NULL,
        epoch BIGINT NOT NULL DEFAULT 1,
        host VARCHAR(255) NOT NULL,
        pid INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        released_at TIMESTAMPTZ
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE instances`);
    await q.query(`ALTER TABLE checkpoints DROP COLUMN transaction_id`);
    await q.query(`DROP INDEX idx_event_store_transaction`);
    await q.query(`ALTER TABLE event_store DROP COLUMN transaction_id`);
  }
}
