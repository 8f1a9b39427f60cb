import { hostname } from 'node:os';
import type { Database } from '../database/database.js';

/** Runs a statement on the lease's own session when it has one, else on the pool. */
export type LeaseQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** An instance that stopped heart-beating and whose session is gone. */
export interface OrphanInstance {
  instanceId: string;
  epoch: number;
  heartbeatAt: Date;
  released: boolean;
}

/**
 * The `instances` table: one row per instance id with its lock key, its epoch (the fencing
 * token) and its heartbeat. The InstanceLease decides; these are its statements.
 */
export const instanceRows = {
  /** Registers (or re-registers) this process as the instance; returns the bumped epoch. */
  async register(query: LeaseQuery, instanceId: string, key: string): Promise<number> {
    const [row] = await query<{ epoch: string }>(
      `INSERT INTO instances (instance_id, lease_key, host, pid, started_at, heartbeat_at, released_at)
       VALUES ($1, $2, $3, $4, now(), now(), NULL)
       ON CONFLICT (instance_id) DO UPDATE SET lease_key = EXCLUDED.lease_key, host = EXCLUDED.host, pid = EXCLUDED.pid,
         epoch = instances.epoch + 1, started_at = now(), heartbeat_at = now(), released_at = NULL
       RETURNING epoch`,
      [instanceId, key, hostname(), process.pid],
    );
    return Number(row!.epoch);
  },

  /** Instances other than `selfId` whose heartbeat is stale (or that released their lease) and whose lock nobody holds. */
  async orphans(db: Database, selfId: string, staleAfterMs: number): Promise<OrphanInstance[]> {
    const rows = await db.query<{ instance_id: string; epoch: string; heartbeat_at: Date; released: boolean }>(
      `SELECT i.instance_id, i.epoch, i.heartbeat_at, i.released_at IS NOT NULL AS released FROM instances i
       WHERE i.instance_id <> $1
         AND (i.released_at IS NOT NULL OR i.heartbeat_at < now() - make_interval(secs => $2::double precision / 1000))
         AND NOT EXISTS (SELECT 1 FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
                           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND ((l.classid::bigint << 32) | l.objid::bigint) = i.lease_key)
       ORDER BY i.heartbeat_at`,
      [selfId, staleAfterMs],
    );
    return rows.map((r) => ({ instanceId: r.instance_id, epoch: Number(r.epoch), heartbeatAt: new Date(r.heartbeat_at), released: r.released }));
  },

  /** Bumps a dead instance's epoch if it is still stale (or released); undefined otherwise. */
  async claim(query: LeaseQuery, instanceId: string, staleAfterMs: number): Promise<number | undefined> {
    const [row] = await query<{ epoch: string }>(
      `UPDATE instances SET epoch = epoch + 1 WHERE instance_id = $1
         AND (released_at IS NOT NULL OR heartbeat_at < now() - make_interval(secs => $2::double precision / 1000))
       RETURNING epoch`,
      [instanceId, staleAfterMs],
    );
    return row ? Number(row.epoch) : undefined;
  },

  async heartbeat(query: LeaseQuery, instanceId: string): Promise<void> {
    await query(`UPDATE instances SET heartbeat_at = now() WHERE instance_id = $1`, [instanceId]);
  },

  async markReleased(query: LeaseQuery, instanceId: string): Promise<void> {
    await query(`UPDATE instances SET released_at = now() WHERE instance_id = $1`, [instanceId]);
  },

  async forget(query: LeaseQuery, instanceId: string): Promise<void> {
    await query(`DELETE FROM instances WHERE instance_id = $1`, [instanceId]);
  },
};
