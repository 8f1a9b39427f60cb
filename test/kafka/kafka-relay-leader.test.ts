import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { connectionFactory } from '../../src/shared/cluster/dedicated-connection.js';
import { LeaderLock } from '../../src/shared/cluster/leader-lock.js';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import { CheckpointStore } from '../../src/shared/event-store/checkpoint-store.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { LeaderRelay } from '../../src/shared/kafka/kafka-relay.leader.js';
import { openTestDatabase, type TestDatabase, postgresAvailable } from '../support/databases.js';
import { describeKafka, kafkaBrokers, TopicRecorder, uniqueTopicPrefix, waitFor } from '../support/kafka.js';
import { eventIds, expectPerAggregateOrder, quietLogger, relayTestRegistry, StreamWriter, testRelay, topicsOf } from './relay-fixtures.js';

// Two instances = two DataSources on one PostgreSQL database, each with its own relay
// candidate. PGlite is one process: its relay simply leads (kafka-relay.test.ts).
const suite = postgresAvailable() ? describeKafka : describe.skip;

suite('one Kafka relay at a time across instances (postgres)', () => {
  let t: TestDatabase;
  let other: OpenedDatabase;
  let recorder: TopicRecorder | undefined;
  const candidates: LeaderRelay[] = [];
  const brokers = kafkaBrokers();
  const prefix = uniqueTopicPrefix();
  const checkpointName = `relay-${prefix}`;

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    other = await openDatabase({ url: t.url, dataDir: t.dataDir, ...modelMoraTables });
  });
  afterAll(async () => {
    await recorder?.stop();
    await Promise.all(candidates.map((c) => c.stop()));
    await other?.close();
    await t?.close();
  });

  function candidate(instanceId: string, db: Database): LeaderRelay {
    const store = new PostgresEventStore(db, relayTestRegistry(), { instanceId });
    const lock = new LeaderLock(checkpointName, { connect: connectionFactory(t.url!, t.schema), instanceId, retryMs: 100, checkMs: 200, logger: quietLogger() });
    const c = new LeaderRelay(lock, () => testRelay(db, store, { prefix, brokers, checkpointName, pollIntervalMs: 100, batchSize: 50 }).relay);
    candidates.push(c);
    return c;
  }

  it('the standby publishes the rest when the leader dies: every stored event on its topic', async () => {
    const storeA = new PostgresEventStore(t.db, relayTestRegistry(), { instanceId: 'a' });
    await new CheckpointStore(t.db).set(checkpointName, await storeA.headCursor());
    const a = candidate('a', t.db);
    a.start();
    await waitFor(() => a.relay, 'a to lead and relay');
    const b = candidate('b', new Database(other.dataSource));
    b.start();

    const writer = new StreamWriter(storeA, 8);
    const before = await writer.write(400, 2);
    a.notify();
    await waitFor(() => a.relay!.status().checkpoint > before[0]!.position, 'the leader to publish something');
    expect(b.relay).toBeUndefined(); // standby: never two relays

    // Kill the leader's session, as a crash of its process would.
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`modelmora-leader:${checkpointName}:a`]);
    await admin.end();
    await waitFor(() => b.relay, 'b to take over the relay');
    await waitFor(() => a.relay === undefined, 'a to stop relaying');
    const after = await writer.write(400, 2);
    b.notify();
    await waitFor(() => (b.relay?.status().checkpoint ?? 0) >= after.at(-1)!.position, 'b to publish everything', 60_000);
    expect(b.relay!.status().published).toBeGreaterThan(0);

    const all = [...before, ...after];
    recorder = await new TopicRecorder(brokers).start(topicsOf(prefix));
    await waitFor(() => eventIds(recorder!.messages).size >= all.length, 'every event id on Kafka', 60_000);
    expect(eventIds(recorder.messages)).toEqual(new Set(all.map((s) => s.event.event_id)));
    expectPerAggregateOrder(recorder.messages);
    expect((await new CheckpointStore(t.db).get(checkpointName)).position).toBe(after.at(-1)!.position);
  }, 120_000);
});
