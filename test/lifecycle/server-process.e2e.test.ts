import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { pathToFileURL } from 'node:url';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase } from '../support/onnx-testdata.js';
import { eventually, freePort, isAlive, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { testStorage, type TestStorage } from '../support/test-app.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;

/** The real server as a process: what SIGKILL and SIGTERM leave behind. */
describeWithOnnxTestdata()(`server process: kill -9, SIGTERM and restart (${backend})`, () => {
  let storage: TestStorage;
  let env: Record<string, string | undefined>;
  let server: ServerProcess | undefined;

  const api = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${server!.url}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };
  const events = async (type: string) => {
    const res = await api(`/api/v1/events?event_type=${type}&limit=1000`);
    if (res.status !== 200) throw new Error(`GET /api/v1/events answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.items as Array<{ payload: Record<string, any> }>;
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    env = { DATABASE_URL: storage.options.databaseUrl, MODELMORA_DATA_DIR: storage.options.dataDir, MODELMORA_MODEL_DIR: storage.options.modelDir };
    const tc = await loadOnnxTestCase('node/test_matmul_2d');
    server = await startServerProcess(env, freePort());
    const body = JSON.stringify({ model_id: 'onnx/matmul', task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath) });
    expect((await api('/api/v1/models', { method: 'POST', body })).status).toBe(201);
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await storage?.cleanup();
  });

  it('leaves no worker alive when the server is killed with SIGKILL, and reconciles on restart', async () => {
    const loaded = await api(`/api/v1/models/${enc('onnx/matmul')}/load`, { method: 'POST', body: '{}' });
    expect(loaded.status).toBe(200);
    const workerPid = loaded.body.pid as number;
    expect(isAlive(workerPid)).toBe(true);

    server!.child.kill('SIGKILL');
    await server!.exited;
    await eventually(() => !isAlive(workerPid), 'orphaned worker to exit', 10_000);

    server = await startServerProcess(env, freePort());
    const crashed = await eventually(async () => (await events('model.unloaded')).find((e) => e.payload.model_id === 'onnx/matmul'), 'the crash on record');
    expect(crashed!.payload).toMatchObject({ reason: 'crashed', version: 'main' });
    // The crash is followed by the recovery's reload (after its back-off): a new worker, never the dead one's pid.
    const status = await api('/api/v1/status');
    expect(status.body.models.filter((m: { pid: number | null }) => m.pid === workerPid)).toEqual([]);
    const reloaded = await eventually(async () => {
      const model = (await api(`/api/v1/models/${enc('onnx/matmul')}`)).body.lifecycle;
      return model.state === 'loaded' ? model : undefined;
    }, 'the recovery reload');
    expect(reloaded!.pid).not.toBe(workerPid);
    expect(isAlive(reloaded!.pid)).toBe(true);
    expect((await events('model.load.started')).at(-1)!.payload).toMatchObject({ model_id: 'onnx/matmul', trigger: 'recovery' });
  }, 120_000);

  it('unloads every model with reason shutdown on SIGTERM and exits cleanly', async () => {
    const loaded = await api(`/api/v1/models/${enc('onnx/matmul')}/load`, { method: 'POST', body: '{}' });
    expect(loaded.status).toBe(200);
    const workerPid = loaded.body.pid as number;
    server!.child.kill('SIGTERM');
    expect(await server!.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(workerPid)).toBe(false);

    server = await startServerProcess(env, freePort());
    const last = await eventually(async () => (await events('model.unloaded')).find((e) => e.payload.reason === 'shutdown'), 'the shutdown on record');
    expect(last.payload).toMatchObject({ model_id: 'onnx/matmul', reason: 'shutdown' });
    expect(last.payload.uptime_seconds).toBeGreaterThanOrEqual(0);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 120_000);
});
