/**
 * Event store appends (expected-version check, insert, RETURNING, notify: one statement)
 * against THE baseline, a raw `pg` multi-row INSERT of the same rows into a table of the
 * event store's own shape (`LIKE event_store INCLUDING ALL`: same indexes, identity and
 * defaults), and, for reference, into a bare table without any index.
 */
import pg from 'pg';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { benchEventKit, StreamSet } from '../support/bench-events.js';
import { median, percentile, result, type BenchResult, type RoundStats } from '../support/stats.js';

type StreamAppend = import('../../src/shared/event-store/stored-event.js').StreamAppend;

const STREAMS_PER_APPEND = 10;
const EVENTS_PER_STREAM = 10; // 100 events per append, as group commit batches them under load
const COLUMNS = 9;

const BARE_TABLE = `CREATE TABLE bench_raw_events (
  event_id uuid, event_type varchar(255), aggregate_id uuid, aggregate_type varchar(255), payload jsonb,
  timestamp timestamp, version int, aggregate_version int, metadata jsonb)`;
const likeTable = (schema: string) => `CREATE TABLE bench_like_events (LIKE "${schema}".event_store INCLUDING ALL)`;

function rowsOf(streams: readonly StreamAppend[]): unknown[][] {
  return streams.flatMap((s) =>
    s.events.map((e, i) => [
      e.event_id, e.event_type, e.aggregate_id, e.aggregate_type, JSON.stringify(e.payload),
      e.timestamp, e.version, s.expectedVersion + i + 1, JSON.stringify(s.metadata ?? {}),
    ]),
  );
}

function insertSql(table: string, rowCount: number): string {
  const values = Array.from({ length: rowCount }, (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(',')})`);
  return `INSERT INTO ${table} (event_id, event_type, aggregate_id, aggregate_type, payload, timestamp, version, aggregate_version, metadata) VALUES ${values.join(',')}`;
}

/** Runs call i of every side in turn, sequentially; per side: calls/s of busy time, p50, p99. */
async function interleaved(total: number, sides: ((i: number) => Promise<unknown>)[]): Promise<RoundStats[]> {
  const latencies = sides.map(() => new Array<number>(total));
  for (let i = 0; i < total; i++) {
    for (let s = 0; s < sides.length; s++) {
      const t0 = performance.now();
      await sides[s]!(i);
      latencies[s]![i] = performance.now() - t0;
    }
  }
  return latencies.map((l) => ({ throughput: (1000 * total) / l.reduce((a, b) => a + b, 0), p50: percentile(l, 50), p99: percentile(l, 99) }));
}

export const appendCase: BenchCase = {
  name: 'append',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const batchAppends = ctx.quick ? 30 : 100;
    const singleAppends = ctx.quick ? 150 : 500;
    const { db, rawUrl, schema, close } = await ctx.db.open(ctx.app);
    const raw = new pg.Client({ connectionString: rawUrl });
    await raw.connect();
    try {
      await raw.query(BARE_TABLE);
      await raw.query(likeTable(schema));
      const kit = benchEventKit(ctx.app);
      const store = new ctx.app.eventStore.PostgresEventStore(db, kit.registry, { instanceId: 'bench' });
      const streams = new StreamSet(kit.event, 200);
      const perBatch = STREAMS_PER_APPEND * EVENTS_PER_STREAM;
      // Named statements, as our appends are: the baselines parse and plan once per connection too.
      const statement = (name: string, text: string) => (values: unknown[]) => raw.query({ name, text, values });
      const sql = {
        like: { batch: statement('like_batch', insertSql('bench_like_events', perBatch)), single: statement('like_single', insertSql('bench_like_events', 1)) },
        bare: { batch: statement('bare_batch', insertSql('bench_raw_events', perBatch)), single: statement('bare_single', insertSql('bench_raw_events', 1)) },
      };

      // Untimed warm-up of every path (JIT, plan caches, connections).
      for (let i = 0; i < 5; i++) {
        const b = streams.next(EVENTS_PER_STREAM, STREAMS_PER_APPEND, i * STREAMS_PER_APPEND);
        await store.append(b);
        await sql.like.batch(rowsOf(b).flat());
        await sql.bare.batch(rowsOf(b).flat());
      }

      const ours: RoundStats[] = [];
      const like: RoundStats[] = [];
      const bare: RoundStats[] = [];
      const oursSingle: RoundStats[] = [];
      const likeSingle: RoundStats[] = [];
      const bareSingle: RoundStats[] = [];
      const perEvent = (x: RoundStats) => ({ ...x, throughput: x.throughput * perBatch });
      for (let r = 0; r < rounds; r++) {
        // Batches are built before the clock starts; every side gets the same rows.
        const batches = Array.from({ length: batchAppends }, (_, i) =>
          streams.next(EVENTS_PER_STREAM, STREAMS_PER_APPEND, (i * STREAMS_PER_APPEND) % streams.ids.length),
        );
        const params = batches.map((b) => rowsOf(b).flat());
        // Interleaved call by call, so the shared machine's fsync stalls hit every side alike.
        const [o, l, b] = await interleaved(batchAppends, [
          (i) => store.append(batches[i]!),
          (i) => sql.like.batch(params[i]),
          (i) => sql.bare.batch(params[i]),
        ]);
        ours.push(perEvent(o!));
        like.push(perEvent(l!));
        bare.push(perEvent(b!));

        const singles = Array.from({ length: singleAppends }, (_, i) => streams.next(1, 1, i % streams.ids.length));
        const singleParams = singles.map((s) => rowsOf(s).flat());
        const [os, ls, bs] = await interleaved(singleAppends, [
          (i) => store.append(singles[i]!),
          (i) => sql.like.single(singleParams[i]),
          (i) => sql.bare.single(singleParams[i]),
        ]);
        oursSingle.push(os!);
        likeSingle.push(ls!);
        bareSingle.push(bs!);
        ctx.log(
          `  round ${r + 1}/${rounds}: ${Math.round(ours[r]!.throughput)} vs ${Math.round(like[r]!.throughput)} (same shape) / ${Math.round(bare[r]!.throughput)} (bare) events/s; ` +
            `single p50 ${oursSingle[r]!.p50.toFixed(2)} vs ${likeSingle[r]!.p50.toFixed(2)} / ${bareSingle[r]!.p50.toFixed(2)} ms`,
        );
      }
      const med = (xs: RoundStats[], k: keyof RoundStats) => median(xs.map((x) => x[k]));
      const likeBatch = `raw pg multi-row INSERT (prepared), same-shape table (LIKE event_store INCLUDING ALL, ${perBatch} rows)`;
      const likeOne = 'raw pg single-row INSERT (prepared), same-shape table';
      const bareBatch = `raw pg multi-row INSERT (prepared), bare table (${perBatch} rows)`;
      const bareOne = 'raw pg single-row INSERT (prepared), bare table';
      const note = `${STREAMS_PER_APPEND} streams x ${EVENTS_PER_STREAM} events per append, ${batchAppends} appends/round, sequential, interleaved call by call with the baselines`;
      return [
        result('append.batch100.throughput', 'events/s', true, med(ours, 'throughput'), { name: likeBatch, value: med(like, 'throughput') }, note),
        result('append.batch100.p50', 'ms', false, med(ours, 'p50'), { name: likeBatch, value: med(like, 'p50') }),
        result('append.single.p50', 'ms', false, med(oursSingle, 'p50'), { name: likeOne, value: med(likeSingle, 'p50') }, `${singleAppends} appends/round, sequential, interleaved`),
        result('append.single.p99', 'ms', false, med(oursSingle, 'p99'), { name: likeOne, value: med(likeSingle, 'p99') }),
        result('append.batch100.throughput.vs_bare', 'events/s', true, med(ours, 'throughput'), { name: bareBatch, value: med(bare, 'throughput') }),
        result('append.single.p50.vs_bare', 'ms', false, med(oursSingle, 'p50'), { name: bareOne, value: med(bareSingle, 'p50') }),
      ];
    } finally {
      await raw.end();
      await close();
    }
  },
};
