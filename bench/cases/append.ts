/**
 * Event store appends (advisory lock, expected-version check, RETURNING position, five
 * indexes) against a raw `pg` multi-row INSERT of the same rows into a bare table.
 */
import pg from 'pg';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { benchEventKit, StreamSet } from '../support/bench-events.js';
import { closedLoop, median, result, type BenchResult, type RoundStats } from '../support/stats.js';

type StreamAppend = import('../../src/shared/event-store/stored-event.js').StreamAppend;

const STREAMS_PER_APPEND = 10;
const EVENTS_PER_STREAM = 10; // 100 events per append, as group commit batches them under load
const COLUMNS = 9;

const RAW_TABLE = `CREATE TABLE bench_raw_events (
  event_id uuid, event_type varchar(255), aggregate_id uuid, aggregate_type varchar(255), payload jsonb,
  timestamp timestamp, version int, aggregate_version int, metadata jsonb)`;

function rowsOf(streams: readonly StreamAppend[]): unknown[][] {
  return streams.flatMap((s) =>
    s.events.map((e, i) => [
      e.event_id, e.event_type, e.aggregate_id, e.aggregate_type, JSON.stringify(e.payload),
      e.timestamp, e.version, s.expectedVersion + i + 1, JSON.stringify(s.metadata ?? {}),
    ]),
  );
}

function insertSql(rowCount: number): string {
  const values = Array.from({ length: rowCount }, (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(',')})`);
  return `INSERT INTO bench_raw_events (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version, metadata) VALUES ${values.join(',')}`;
}

export const appendCase: BenchCase = {
  name: 'append',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const batchAppends = ctx.quick ? 30 : 100;
    const singleAppends = ctx.quick ? 150 : 500;
    const { db, rawUrl, close } = await ctx.db.open(ctx.app);
    const raw = new pg.Client({ connectionString: rawUrl });
    await raw.connect();
    try {
      await raw.query(RAW_TABLE);
      const kit = benchEventKit(ctx.app);
      const store = new ctx.app.eventStore.PostgresEventStore(db, kit.registry);
      const streams = new StreamSet(kit.event, 200);
      const perBatch = STREAMS_PER_APPEND * EVENTS_PER_STREAM;
      const batchSql = insertSql(perBatch);
      const singleSql = insertSql(1);

      // Untimed warm-up of both paths (JIT, plan caches, connections).
      for (let i = 0; i < 5; i++) {
        const b = streams.next(EVENTS_PER_STREAM, STREAMS_PER_APPEND, i * STREAMS_PER_APPEND);
        await store.append(b);
        await raw.query(batchSql, rowsOf(b).flat());
      }

      const ours: RoundStats[] = [];
      const base: RoundStats[] = [];
      const oursSingle: RoundStats[] = [];
      const baseSingle: RoundStats[] = [];
      for (let r = 0; r < rounds; r++) {
        // Batches are built before the clock starts; both sides get the same rows.
        const batches = Array.from({ length: batchAppends }, (_, i) =>
          streams.next(EVENTS_PER_STREAM, STREAMS_PER_APPEND, (i * STREAMS_PER_APPEND) % streams.ids.length),
        );
        const params = batches.map((b) => rowsOf(b).flat());
        const o = await closedLoop(batchAppends, 1, (i) => store.append(batches[i]!));
        const b = await closedLoop(batchAppends, 1, (i) => raw.query(batchSql, params[i]));
        ours.push({ ...o, throughput: o.throughput * perBatch });
        base.push({ ...b, throughput: b.throughput * perBatch });

        const singles = Array.from({ length: singleAppends }, (_, i) => streams.next(1, 1, i % streams.ids.length));
        const singleParams = singles.map((s) => rowsOf(s).flat());
        oursSingle.push(await closedLoop(singleAppends, 1, (i) => store.append(singles[i]!)));
        baseSingle.push(await closedLoop(singleAppends, 1, (i) => raw.query(singleSql, singleParams[i])));
        ctx.log(`  round ${r + 1}/${rounds}: ${Math.round(ours[r]!.throughput)} vs ${Math.round(base[r]!.throughput)} events/s; single p50 ${oursSingle[r]!.p50.toFixed(2)} vs ${baseSingle[r]!.p50.toFixed(2)} ms`);
      }
      const med = (xs: RoundStats[], k: keyof RoundStats) => median(xs.map((x) => x[k]));
      const rawBatch = `raw pg multi-row INSERT, bare table (${perBatch} rows)`;
      const rawSingle = 'raw pg single-row INSERT, bare table';
      const note = `${STREAMS_PER_APPEND} streams x ${EVENTS_PER_STREAM} events per append, ${batchAppends} appends/round, sequential`;
      return [
        result('append.batch100.throughput', 'events/s', true, med(ours, 'throughput'), { name: rawBatch, value: med(base, 'throughput') }, note),
        result('append.batch100.p50', 'ms', false, med(ours, 'p50'), { name: rawBatch, value: med(base, 'p50') }),
        result('append.single.p50', 'ms', false, med(oursSingle, 'p50'), { name: rawSingle, value: med(baseSingle, 'p50') }, `${singleAppends} appends/round, sequential`),
        result('append.single.p99', 'ms', false, med(oursSingle, 'p99'), { name: rawSingle, value: med(baseSingle, 'p99') }),
      ];
    } finally {
      await raw.end();
      await close();
    }
  },
};
