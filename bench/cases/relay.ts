/**
 * Store → Kafka through the project's KafkaRelay (read settled events from the checkpoint,
 * map, publish with an idempotent acks=all producer, move the checkpoint; reading batch N+1
 * overlaps sending batch N) against a raw kafkajs producer sending the same messages,
 * pre-built; and the relay's lag while events are being written.
 */
import { randomBytes } from 'node:crypto';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { benchEventKit, StreamSet } from '../support/bench-events.js';
import { kafkaModules } from '../support/app-modules.js';
import { median, percentile, result, type BenchResult } from '../support/stats.js';

type RelayBroker = import('../../src/shared/kafka/kafka-relay.broker.js').RelayBroker;
type ReaderCheckpoints = import('../../src/shared/event-store/checkpoint-store.js').ReaderCheckpoints;

const READ_BATCH = 500;
const LAG_APPEND_EVENTS = 100;
const LAG_TICK_MS = 50; // 2,000 events/s offered while the lag is measured

const quiet = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };

async function until(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const relayCase: BenchCase = {
  name: 'relay',
  skip: (ctx) => (ctx.kafkaBrokers ? undefined : 'KAFKA_BROKERS is not set (bash scripts/kafka.sh start; KAFKA_BROKERS=127.0.0.1:9092)'),
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const perRound = ctx.quick ? 5000 : 20_000;
    const lagSeconds = ctx.quick ? 3 : 10;
    const k = await kafkaModules();
    const prefix = `mmbench${randomBytes(4).toString('hex')}`;
    const kafka = k.client.createKafkaClient(
      { brokers: ctx.kafkaBrokers!.split(','), clientId: `${prefix}-bench`, topicPrefix: prefix, commandsTopic: `${prefix}.commands` },
      '',
      quiet,
    );
    const { db, close } = await ctx.db.open(ctx.app);
    const kit = benchEventKit(ctx.app);
    const store = new ctx.app.eventStore.PostgresEventStore(db, kit.registry);
    const checkpointStore = new ctx.app.checkpoints.CheckpointStore(db);
    const streams = new StreamSet(kit.event, 50);
    const realBroker = new k.broker.KafkajsRelayBroker(kafka);
    // Connected once, untimed; the relays of each round reuse it (their stop() must not disconnect it).
    const broker: RelayBroker = {
      connect: () => realBroker.connect(),
      ensureTopics: (t) => realBroker.ensureTopics(t),
      sendBatch: (m) => realBroker.sendBatch(m),
      probe: (ms) => realBroker.probe(ms),
      reset: (err) => realBroker.reset(err),
      disconnect: async () => undefined,
    };
    const producer = kafka.producer({ createPartitioner: (await import('kafkajs')).Partitioners.DefaultPartitioner });
    const writeEvents = async (n: number) => {
      for (let written = 0; written < n; written += 100) await store.append(streams.next(10, 10, (written / 10) % streams.ids.length));
    };
    const messagesAfter = async (from: number) => {
      const out = [];
      for (let pos = from; ; ) {
        const batch = await store.readAll({ afterPosition: pos, limit: READ_BATCH });
        if (batch.length === 0) return out;
        // The bytes the relay sends: JSON.stringify of each envelope (the relay gets the same text without parsing).
        out.push(batch.map((e) => k.serialized.serializeStored(e)).map((s) => k.mapper.toRelayMessage(s, k.mapper.topicFor(prefix, s))));
        pos = batch[batch.length - 1]!.position;
      }
    };
    const topicMessages = (batch: { topic: string; message: any }[]) => {
      const byTopic = new Map<string, any[]>();
      for (const m of batch) (byTopic.get(m.topic) ?? byTopic.set(m.topic, []).get(m.topic)!).push(m.message);
      return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    };
    const newRelay = (name: string, checkpoints: ReaderCheckpoints = checkpointStore) =>
      new k.relay.KafkaRelay(store, checkpoints, broker, { topicPrefix: prefix, checkpointName: name, batchSize: READ_BATCH, logger: quiet });

    try {
      await realBroker.connect();
      await producer.connect();
      // Warm-up: creates the topic, JITs both paths.
      let head = await store.headPosition();
      await checkpointStore.set('bench-warmup', await store.headCursor());
      await writeEvents(1000);
      const warm = newRelay('bench-warmup');
      warm.start();
      const warmHead = await store.headPosition();
      await until(() => warm.status().checkpoint >= warmHead, 'relay warm-up');
      await warm.stop();
      for (const b of await messagesAfter(head)) await producer.sendBatch({ topicMessages: topicMessages(b), acks: -1 });

      const ours: number[] = [];
      const raw: number[] = [];
      for (let r = 0; r < rounds; r++) {
        head = await store.headPosition();
        const name = `bench-round-${r}`;
        await checkpointStore.set(name, await store.headCursor());
        await writeEvents(perRound);
        // As autovacuum would after such a write (CI's PostgreSQL and PGlite run without it): a
        // table without statistics gets a full scan and sort for every read of 500.
        await db.query('ANALYZE event_store');
        const target = await store.headPosition();
        const relay = newRelay(name);
        let t0 = performance.now();
        relay.start();
        await until(() => relay.status().checkpoint >= target, 'relay to catch up');
        ours.push(perRound / ((performance.now() - t0) / 1000));
        await relay.stop();

        const batches = (await messagesAfter(head)).map(topicMessages);
        t0 = performance.now();
        for (const topicMessages of batches) await producer.sendBatch({ topicMessages, acks: -1 });
        raw.push(perRound / ((performance.now() - t0) / 1000));
        ctx.log(`  round ${r + 1}/${rounds}: relay ${Math.round(ours[r]!)} events/s, raw producer ${Math.round(raw[r]!)} events/s`);
      }

      // Lag under load: appends of 100 events every 50 ms; lag = commit → checkpoint moved past it.
      const pending: { position: number; committedAt: number }[] = [];
      const lags: number[] = [];
      let maxBacklog = 0;
      const tracking: ReaderCheckpoints = {
        get: (n) => checkpointStore.get(n),
        async advance(n, cursor) {
          await checkpointStore.advance(n, cursor);
          const now = performance.now();
          while (pending.length && pending[0]!.position <= cursor.position) lags.push(now - pending.shift()!.committedAt);
        },
      };
      await checkpointStore.set('bench-lag', await store.headCursor());
      const relay = newRelay('bench-lag', tracking);
      relay.start();
      const ticks = Math.round((lagSeconds * 1000) / LAG_TICK_MS);
      const rawLags: number[] = [];
      const tickLoop = async (body: () => Promise<void>) => {
        const start = performance.now();
        for (let t = 0; t < ticks; t++) {
          await body();
          const wait = start + (t + 1) * LAG_TICK_MS - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      };
      await tickLoop(async () => {
        const stored = await store.append(streams.next(10, 10, 0));
        pending.push({ position: stored[stored.length - 1]!.position, committedAt: performance.now() });
        maxBacklog = Math.max(maxBacklog, stored[stored.length - 1]!.position - relay.status().checkpoint);
        relay.notify(); // as the app does on every commit
      });
      await until(() => pending.length === 0, 'relay to drain');
      await relay.stop();
      // Baseline: the same batches sent straight to Kafka at the same pace, ack latency.
      const lagBatches = (await messagesAfter((await store.headPosition()) - ticks * LAG_APPEND_EVENTS)).flat();
      let next = 0;
      await tickLoop(async () => {
        const batch = lagBatches.slice(next, next + LAG_APPEND_EVENTS);
        next += LAG_APPEND_EVENTS;
        const t0 = performance.now();
        await producer.sendBatch({ topicMessages: topicMessages(batch), acks: -1 });
        rawLags.push(performance.now() - t0);
      });

      const rawName = 'raw kafkajs producer, same messages, acks=all';
      const lagBase = `raw kafkajs send of the same ${LAG_APPEND_EVENTS}-event batches (ack latency)`;
      const lagNote = `${LAG_APPEND_EVENTS} events every ${LAG_TICK_MS} ms for ${lagSeconds} s; max backlog ${maxBacklog} events`;
      return [
        result('relay.throughput', 'events/s', true, median(ours), { name: rawName, value: median(raw) }, `${perRound} events/round, read batches of ${READ_BATCH}`),
        result('relay.lag.p50', 'ms', false, percentile(lags, 50), { name: lagBase, value: percentile(rawLags, 50) }, lagNote),
        result('relay.lag.p99', 'ms', false, percentile(lags, 99), { name: lagBase, value: percentile(rawLags, 99) }),
      ];
    } finally {
      const admin = kafka.admin();
      await admin.connect().then(async () => {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
        if (topics.length) await admin.deleteTopics({ topics });
      }).catch((err) => ctx.log(`  could not delete the bench topics: ${err instanceof Error ? err.message : err}`));
      await admin.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await realBroker.disconnect();
      await close();
    }
  },
};
