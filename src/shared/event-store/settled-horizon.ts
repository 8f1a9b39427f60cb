/**
 * Which stored events a catch-up reader may pass: those of transactions below the horizon,
 * a transaction id under which no ModelMora event can commit any more. Readers go in
 * (transaction id, position) order, so an event committed later can never land behind a
 * cursor; with the server-wide `pg_snapshot_xmin`, any long write transaction in any database
 * of the server held every reader back. This horizon waits for ModelMora's writers only.
 *
 * A writer announces itself by the RowExclusiveLock its INSERT takes on event_store: taken
 * when the statement starts, before it writes a row (so before the transaction has an id,
 * if this is its first write), held until the transaction ends. The horizon, for the
 * reader's snapshot S (taken first), the lock table L (read next) and a status check (last):
 *
 *   least(xmax(S), min{ X in xip(S) : X holds the lock in L, or X is no longer in progress })
 *
 * Proof that a reader skips nothing: an event not visible in S belongs to a transaction X
 * that either gets its id after S (X ≥ xmax(S) ≥ horizon) or was in progress at S (X in
 * xip(S)). Such an X took the lock before its id existed; if it is still in progress at the
 * status check, it held the lock throughout, so L shows it; if not, it counts as well. Either
 * way X ≥ horizon. The two traps: (1) the announcement costs nothing, it is the statement's
 * own lock; (2) an announced transaction without an id yet gets one ≥ xmax(S), the cap.
 * The rule it rests on: an append is its transaction's first write (PostgresEventStore.appendIn).
 *
 * Only evaluated when a row is newer than the snapshot's xmin (the OR in SETTLED): a reader
 * that is caught up, or reads old events, never looks at the lock table.
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
