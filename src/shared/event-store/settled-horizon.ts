/**
 * The horizon below which no ModelMora event can commit any more: waits only for ModelMora's
 * writers, announced by their INSERT's lock on event_store, never for the whole server.
 * Formula and proof: docs/scale-out.md, "The horizon is ModelMora's own".
 */
const HORIZON = `(
  WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
  locks AS MATERIALIZED (
    SELECT locktype, virtualtransaction, transactionid, relation, database, mode
    FROM pg_locks WHERE granted AND locktype IN ('relation', 'transactionid')
  ),
  announced AS MATERIALIZED (
    SELECT x.transactionid::text::bigint AS xid32 FROM locks x JOIN locks w ON w.virtualtransaction = x.virtualtransaction
    WHERE x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock'
      AND w.locktype = 'relation' AND w.mode = 'RowExclusiveLock' AND w.relation = 'event_store'::regclass
      AND w.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  ),
  running AS MATERIALIZED (
    SELECT r.xid, a.xid32 IS NOT NULL AS announced
    FROM snap, pg_snapshot_xip(snap.s) AS r(xid) LEFT JOIN announced a ON a.xid32 = r.xid::xid::text::bigint
  )
  SELECT least(pg_snapshot_xmax(s), (SELECT min(xid) FROM running WHERE announced OR pg_xact_status(xid) <> 'in progress')) FROM snap
)`;

/** The WHERE condition of every catch-up read: the row's transaction is below the horizon. */
export const SETTLED = `(transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot())) OR transaction_id < ${HORIZON})`;

/**
 * The oldest open transaction that has written ModelMora events and so holds the readers
 * back: its backend, database and age (pg_stat_activity shows other roles' sessions only to
 * members of pg_read_all_stats; their age is then unknown).
 */
export const OLDEST_UNSETTLED_WRITER = `
  SELECT w.pid, a.datname AS database, extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS age_seconds,
         a.backend_xid::text AS transaction_id, a.state
  FROM pg_locks w LEFT JOIN pg_stat_activity a ON a.pid = w.pid
  WHERE w.locktype = 'relation' AND w.mode = 'RowExclusiveLock' AND w.granted AND w.relation = 'event_store'::regclass
    AND w.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND w.pid IS DISTINCT FROM pg_backend_pid()
  ORDER BY a.xact_start NULLS LAST LIMIT 1`;
