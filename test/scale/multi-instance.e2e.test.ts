import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instanceStreamIds } from '../../src/shared/cluster/instance-id.js';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { kafkaBrokers, requireKafka, testProducer, TopicRecorder, uniqueTopicPrefix } from '../support/kafka.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase, type OnnxTestCase } from '../support/onnx-testdata.js';
import { eventually, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { testStorage, type TestStorage } from '../support/test-app.js';

const enc = encodeURIComponent;
const MODEL = 'onnx/matmul-scale';
const JOBS = 600;
const TERMINAL = ['completed', 'failed', 'cancelled'];
// Three real instances need a real PostgreSQL and the real broker (CI has both; PGlite is one process).
const runs = databaseBackends().includes('postgres') && requireKafka();

/**
 * DESIGN §9: three instances on one database and one broker. Jobs arrive over HTTP on
 * all three and on the commands topic; one instance is killed with SIGKILL mid-way.
 * Every acknowledged job ends exactly once, the dead instance's jobs are finished by a
 * survivor, its relay duty passes on, and an unregister through one instance unloads
 * the model everywhere.
 */
(runs ? describeWithOnnxTestdata() : describe.skip)('three instances, one killed under load (postgres + kafka)', () => {
  let storage: TestStorage;
  let tc: OnnxTestCase;
  const prefix = uniqueTopicPrefix();
  const servers = new Map<string, ServerProcess>();
  let recorder: TopicRecorder | undefined;
  const api = async (name: string, path: string, init?: RequestInit) => {
    const res = await fetch(`${servers.get(name)!.url}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const eventsOf = async (name: string, type: string) => {
    const out: any[] = [];
    for (let after = 0; ;) {
      const page = (await api(name, `/api/v1/events?event_type=${type}&after_position=${after}&limit=1000`)).body;
      out.push(...page.items);
      if (page.items.length < 1000) return out;
      after = page.next_position;
    }
  };
  const start = async (name: string) => {
    servers.set(name, await startServerProcess({
      DATABASE_URL: storage.options.databaseUrl, MODELMORA_INSTANCE_ID: `inst-${name}`,
      MODELMORA_DATA_DIR: `${storage.options.dataDir}/${name}`, MODELMORA_MODEL_DIR: `${storage.options.modelDir}/${name}`,
      MODELMORA_SOURCE_ROOTS: dirname(tc.modelPath), KAFKA_BROKERS: kafkaBrokers(), KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: prefix, KAFKA_COMMANDS_TOPIC: `${prefix}.commands`,
    }, freePort()));
  };

  beforeAll(async () => {
    storage = await testStorage('postgres');
    tc = await loadOnnxTestCase('node/test_matmul_2d');
    const producer = await testProducer(kafkaBrokers());
    await producer.admin.connect();
    await producer.admin.createTopics({ topics: [{ topic: `${prefix}.commands`, numPartitions: 6 }] });
    await producer.admin.disconnect();
    await producer.disconnect();
    for (const name of ['a', 'b', 'c']) await start(name); // a first: it takes the relay lease
    const body = JSON.stringify({ model_id: MODEL, task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath) });
    expect((await api('b', '/api/v1/models', { method: 'POST', body })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await recorder?.stop();
    for (const s of servers.values()) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await storage?.cleanup();
  });

  it('finishes every acknowledged job exactly once after kill -9 of one instance, and its relay duty moves on', async () => {
    const producer = await testProducer(kafkaBrokers());
    const acknowledged: string[] = [];
    const viaKafka: string[] = [];
    const submit = async (i: number) => {
      if (i % 6 === 5) {
        const request_id = randomUUID();
        await producer.send(`${prefix}.commands`, JSON.stringify({ model_id: MODEL, inputs: tc.inputs, request_id }), { key: MODEL });
        viaKafka.push(request_id);
        return;
      }
      const name = ['a', 'b', 'c'][i % 3]!;
      if (servers.get(name)!.child.exitCode !== null) return;
      const res = await api(name, `/api/v1/infer/${enc(MODEL)}/async`, { method: 'POST', body: JSON.stringify({ inputs: tc.inputs }) }).catch(() => undefined);
      if (res?.status === 202) acknowledged.push(res.body.job_id);
    };
    for (let i = 0; i < JOBS / 2; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => submit(i + k)));
    // a, the relay leader, dies holding acknowledged jobs: its worker is frozen, so they wait in its queue.
    const worker = (await api('a', `/api/v1/models/${enc(MODEL)}/load`, { method: 'POST', body: '{}' })).body.pid as number;
    process.kill(worker, 'SIGSTOP');
    const stuck = await Promise.all(Array.from({ length: 20 }, () => api('a', `/api/v1/infer/${enc(MODEL)}/async`, { method: 'POST', body: JSON.stringify({ inputs: tc.inputs }) })));
    expect(stuck.map((r) => r.status)).toEqual(Array(20).fill(202));
    acknowledged.push(...stuck.map((r) => r.body.job_id as string));
    servers.get('a')!.child.kill('SIGKILL');
    await servers.get('a')!.exited;
    process.kill(worker, 'SIGKILL');
    const killedAt = Date.now();
    for (let i = JOBS / 2; i < JOBS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => submit(i + k)));
    await producer.disconnect();

    // Kafka submissions are acknowledged by the broker; each becomes a job on whichever instance consumed it.
    const submitted = await eventually(async () => {
      const all = await eventsOf('b', 'job.submitted');
      const byRequest = all.filter((e) => viaKafka.includes(e.payload.request_id));
      return byRequest.length >= viaKafka.length && all;
    }, 'every Kafka submission to become a job', 120_000);
    const ids = [...acknowledged, ...submitted.filter((e: any) => viaKafka.includes(e.payload.request_id)).map((e: any) => e.payload.job_id)];
    const jobs = await eventually(async () => {
      const all = await Promise.all(ids.map(async (id) => (await api('c', `/api/v1/jobs/${id}`)).body));
      return all.every((j) => TERMINAL.includes(j.status)) && all;
    }, `all ${ids.length} acknowledged jobs to end`, 180_000);
    const tookMs = Date.now() - killedAt;
    expect(jobs.filter((j) => j.status !== 'completed')).toEqual([]);
    const endsOnRecord = async () => [...(await eventsOf('b', 'job.completed')), ...(await eventsOf('b', 'job.failed'))].filter((e) => ids.includes(e.payload.job_id));
    const ends = await eventually(async () => {
      const all = await endsOnRecord();
      return all.length >= ids.length && all;
    }, 'every end on record', 60_000);
    expect(ends).toHaveLength(ids.length); // exactly one terminal event per job
    const adopted = await eventsOf('c', 'job.adopted');
    const stuckIds = stuck.map((r) => r.body.job_id);
    expect(adopted.map((e) => e.payload.job_id)).toEqual(expect.arrayContaining(stuckIds)); // a survivor finished them
    const takeoverMs = Math.max(...adopted.map((e) => Date.parse(e.timestamp))) - killedAt;
    console.log(`multi-instance: ${ids.length} jobs, ${adopted.length} taken over ${takeoverMs} ms after the kill, all ended ${tookMs} ms after it`);

    // No survivor recorded another instance's model as crashed; one worker per (instance, model).
    const loaded = await eventsOf('b', 'model.loaded');
    const perManager = new Map<string, number>();
    for (const e of loaded) perManager.set(e.aggregate_id, (perManager.get(e.aggregate_id) ?? 0) + 1);
    expect([...perManager.values()].every((n) => n === 1)).toBe(true);
    const survivors = new Set(['b', 'c'].map((n) => instanceStreamIds(`inst-${n}`).lifecycleManagerId));
    const crashed = (await eventsOf('b', 'model.unloaded')).filter((e) => e.payload.reason === 'crashed');
    expect(crashed.filter((e) => survivors.has(e.aggregate_id))).toEqual([]);

    // Every stored event reached its topic, although the relay leader died mid-way (topics exist by now:
    // a kafkajs subscription resolves its pattern once, at start).
    const stored = [...(await eventsOf('b', 'job.completed')), ...(await eventsOf('b', 'job.submitted'))];
    recorder = await new TopicRecorder(kafkaBrokers()).start([`${prefix}.inference_queue.job.completed`, `${prefix}.inference_queue.job.submitted`]);
    await eventually(() => {
      const seen = new Set(recorder!.messages.map((m) => JSON.parse(m.value!).event_id));
      return stored.every((e) => seen.has(e.event_id));
    }, 'every stored job event on Kafka', 120_000);
  }, 600_000);

  it('unloads the model on every instance when it is unregistered through one', async () => {
    const managers = new Set((await eventsOf('b', 'model.loaded')).map((e) => e.aggregate_id));
    expect((await api('c', `/api/v1/models/${enc(MODEL)}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => {
      const unloaded = (await eventsOf('b', 'model.unloaded')).filter((e) => e.payload.reason === 'unregistered');
      const live = ['b', 'c'].map((n) => servers.get(n)!).filter((s) => s.child.exitCode === null).length;
      return unloaded.length >= live && unloaded.every((e) => managers.has(e.aggregate_id));
    }, 'both survivors to unload the unregistered model', 60_000);
  }, 120_000);
});
