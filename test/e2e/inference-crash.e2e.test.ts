import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { pathToFileURL } from 'node:url';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase, type OnnxTestCase } from '../support/onnx-testdata.js';
import { eventually, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { testStorage, type TestStorage } from '../support/test-app.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;
const JOBS = 60;
const MODEL = 'onnx/matmul-crash';

/**
 * REQ-REL-004: jobs acknowledged with 202 survive `kill -9` of the server. After a
 * restart on the same database every one of them ends, and none completes twice.
 */
describeWithOnnxTestdata()(`inference: kill -9 the server with jobs in flight, restart (${backend})`, () => {
  let storage: TestStorage;
  let env: Record<string, string | undefined>;
  let server: ServerProcess | undefined;
  let tc: OnnxTestCase;

  const api = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${server!.url}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const completions = async () => {
    const out: Array<{ payload: { job_id: string }; timestamp: string }> = [];
    for (let after = 0; ;) {
      const page = (await api(`/api/v1/events?event_type=job.completed&after_position=${after}&limit=1000`)).body;
      out.push(...page.items);
      if (page.items.length < 1000) return out;
      after = page.next_position;
    }
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    env = { DATABASE_URL: storage.options.databaseUrl, MODELMORA_DATA_DIR: storage.options.dataDir, MODELMORA_MODEL_DIR: storage.options.modelDir };
    tc = await loadOnnxTestCase('node/test_matmul_2d');
    server = await startServerProcess(env, freePort());
    const body = JSON.stringify({
      model_id: MODEL, task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath),
    });
    expect((await api('/api/v1/models', { method: 'POST', body })).status).toBe(201);
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await storage?.cleanup();
  });

  it('runs every acknowledged job to an end after the restart, none completed twice', async () => {
    // Deadlines longer than a restart on a loaded machine: this is about durability, not deadlines.
    const submit = () => api(`/api/v1/infer/${enc(MODEL)}/async`, { method: 'POST', body: JSON.stringify({ inputs: tc.inputs, timeout_ms: 300_000 }) });
    // The worker is frozen: jobs are acknowledged (their submission is durable) but cannot run before the kill.
    const loaded = await api(`/api/v1/models/${enc(MODEL)}/load`, { method: 'POST', body: '{}' });
    expect(loaded.status).toBe(200);
    process.kill(loaded.body.pid, 'SIGSTOP');
    const acks = await Promise.all(Array.from({ length: JOBS }, submit));
    expect(acks.map((a) => a.status)).toEqual(Array(JOBS).fill(202));
    const ids = acks.map((a) => a.body.job_id as string);

    server!.child.kill('SIGKILL');
    await server!.exited;
    process.kill(loaded.body.pid, 'SIGKILL');
    const restartedAt = Date.now();
    server = await startServerProcess(env, freePort());

    const jobs = await eventually(async () => {
      const all = await Promise.all(ids.map(async (id) => (await api(`/api/v1/jobs/${id}`)).body));
      return all.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status)) ? all : undefined;
    }, `all ${JOBS} acknowledged jobs to end`, 60_000);
    expect(jobs.map((j) => (j.status === 'completed' ? j.status : `${j.status}: ${j.error_code} ${j.error_message}`))).toEqual(Array(JOBS).fill('completed'));

    const completed = (await completions()).filter((e) => ids.includes(e.payload.job_id));
    const perJob = new Map<string, number>();
    for (const e of completed) perJob.set(e.payload.job_id, (perJob.get(e.payload.job_id) ?? 0) + 1);
    expect(perJob.size).toBe(JOBS);
    expect([...perJob.values()].every((n) => n === 1)).toBe(true);
    // Every one ran after the restart: none could run before the kill.
    expect(completed.filter((e) => Date.parse(e.timestamp) >= restartedAt)).toHaveLength(JOBS);
  }, 120_000);
});
