import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EventBus, type IEvent } from '@nestjs/cqrs';
import { join } from 'node:path';
import pg from 'pg';
import { createServer } from '../../src/bootstrap.js';
import { readFrames } from '../../src/cli/sse-reader.js';
import type { DomainEvent } from '../../src/shared/domain/event-envelope.js';
import { databaseBackends, schemaClient, testStorage, type TestStorage } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { kafkaBrokers, requireKafka, testKafkaOptions, testProducer, TopicRecorder, uniqueTopicPrefix } from '../support/kafka.js';
import { waitForTopicLeaders } from '../../src/shared/kafka/kafka-topics.js';

const TOKEN = 'feed-token';
/** The cap: the host's transaction ends after 30 s whatever happens. */
const HOST_CAP_MS = 30_000;

/** A host's write transaction on its own connection, rolled back by `end()` or after HOST_CAP_MS. */
async function hostTransaction(url: string, statements: string[]): Promise<{ readonly open: boolean; end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  for (const sql of statements) await client.query(sql);
  let open = true;
  const end = async () => {
    if (!open) return;
    open = false;
    clearTimeout(cap);
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  };
  const cap = setTimeout(() => void end(), HOST_CAP_MS);
  return {
    get open() {
      return open;
    },
    end,
  };
}

/** An event stream whose envelopes a test looks into. */
async function openStream(url: string): Promise<{ has(modelId: string): boolean; close(): void }> {
  const abort = new AbortController();
  const seen: string[] = [];
  const res = await fetch(url, { signal: abort.signal, headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  void readFrames(res.body!, (f) => f.data !== undefined && !f.event && seen.push(JSON.parse(f.data).payload.model_id)).catch(() => undefined);
  return { has: (id) => seen.includes(id), close: () => abort.abort() };
}

const runs = databaseBackends().includes('postgres') && requireKafka();

/**
 * Issue 20's acceptance test: a host's long write transaction, in another database of the
 * server or in ModelMora's database on a table of its own, no longer holds back any reader
 * of the event log: the audit API, SSE, the relay to Kafka and another instance's feed.
 */
(runs ? describe : describe.skip)('the event feed beside a host\'s open transaction (postgres + kafka)', () => {
  let storage: TestStorage;
  const prefix = uniqueTopicPrefix();
  const topic = `${prefix}.model_catalog.model.registered`;
  let a: INestApplication;
  let b: INestApplication;
  let baseA: string;
  let recorder: TopicRecorder;
  const heardOnB: DomainEvent[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };

  const start = async (name: string) => {
    const app = await createServer({
      ...storage.options, dataDir: join(storage.options.dataDir, name), modelDir: join(storage.options.modelDir, name), instanceId: `feed-${name}`,
      apiToken: TOKEN, kafka: testKafkaOptions({ topicPrefix: prefix, clientId: `${prefix}-${name}` }), feedStallWarnMs: 1_000,
    }, 'warn');
    await app.listen(0, '127.0.0.1');
    return app;
  };

  beforeAll(async () => {
    storage = await testStorage('postgres');
    a = await start('a');
    b = await start('b');
    baseA = await a.getUrl();
    b.get(EventBus).subscribe((e: IEvent) => heardOnB.push(e as DomainEvent));
    const kafka = await testProducer(kafkaBrokers());
    await kafka.admin.connect();
    await kafka.admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await waitForTopicLeaders(kafka.admin, [topic]);
    await kafka.admin.disconnect();
    await kafka.disconnect();
    recorder = await new TopicRecorder(kafkaBrokers()).start([topic]);
  }, 120_000);
  afterAll(async () => {
    await recorder?.stop();
    await b?.close();
    await a?.close();
    await storage?.cleanup();
  });

  const register = async (modelId: string) => {
    const res = await fetch(`${baseA}/api/v1/models`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model_id: modelId, task_type: 'tensor' }) });
    expect(res.status).toBe(201);
  };
  const audited = async (modelId: string) => {
    const page = (await (await fetch(`${baseA}/api/v1/events?event_type=model.registered&limit=1000`, { headers: auth })).json()) as { items: DomainEvent[] };
    return page.items.some((e) => e.payload.model_id === modelId);
  };

  it.each([
    ['in another database of the server', () => hostTransaction(process.env.DATABASE_URL!, ['CREATE TEMP TABLE host_import (n int)', 'INSERT INTO host_import VALUES (1)'])],
    ["in ModelMora's database, on a table that is not ModelMora's", () => hostTransaction(storage.options.databaseUrl!, ['CREATE TABLE IF NOT EXISTS public.host_orders (n int)', 'INSERT INTO public.host_orders VALUES (1)'])],
  ])('a model registered while a host holds a write transaction open %s reaches the audit API, SSE, Kafka and the second instance', async (_, open) => {
    const modelId = `feed/${prefix}-${Date.now()}`;
    const stream = await openStream(`${baseA}/api/v1/events/stream?event_type=model.registered&tail=0`);
    const host = await open();
    try {
      await register(modelId);
      await eventually(() => audited(modelId), 'the audit API to serve it', HOST_CAP_MS);
      await eventually(() => stream.has(modelId), 'the stream to deliver it', HOST_CAP_MS);
      await eventually(() => recorder.on(topic).some((m) => JSON.parse(m.value!).payload.model_id === modelId), 'Kafka to carry it', HOST_CAP_MS);
      await eventually(() => heardOnB.some((e) => e.event_type === 'model.registered' && e.payload.model_id === modelId), "the second instance's EventBus to hear it", HOST_CAP_MS);
      expect(host.open).toBe(true); // all four while the host's transaction was still open
    } finally {
      stream.close();
      await host.end();
    }
  }, 2 * HOST_CAP_MS);

  it('shows a ModelMora transaction left open: its age on /metrics, its backend on /health/ready for token holders, and a warning naming pid and database', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const writer = await schemaClient(storage.options.databaseUrl!, 'modelmora');
    try {
      // A ModelMora write left open: the append's lock, as an append takes it, and no commit.
      await writer.query('BEGIN');
      await writer.query('LOCK TABLE event_store IN ROW EXCLUSIVE MODE');
      const pid = (await writer.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const database = new URL(storage.options.databaseUrl!).pathname.slice(1);

      const warning = await eventually(() => lines.find((l) => l.includes(`backend pid ${pid} in database ${database}`)), 'the stall warning');
      expect(JSON.parse(warning).message).toMatchObject({ pid, database, age_seconds: expect.any(Number) });
      const ready = (await (await fetch(`${baseA}/health/ready`, { headers: auth })).json()) as { status: string; components: Record<string, unknown> };
      expect(ready.status).toBe('degraded');
      expect(ready.components.event_feed).toMatchObject({ status: 'down', stalled: true, oldest_unsettled_transaction: { pid, database } });
      expect(await (await fetch(`${baseA}/health/ready`)).json()).toEqual({ status: 'degraded' }); // no details without the token
      const metrics = await (await fetch(`${baseA}/api/v1/metrics`, { headers: auth })).text();
      const age = Number(/^modelmora_feed_oldest_unsettled_transaction_age_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(age).toBeGreaterThan(1);
      expect(metrics).toMatch(/^modelmora_feed_subscription_lag_events\{subscription="store-tail"\} \d+$/m);
      expect(metrics).toMatch(/^modelmora_feed_live_consumers \d+$/m);
    } finally {
      spy.mockRestore();
      await writer.query('ROLLBACK');
      await writer.end();
    }
  });
});
