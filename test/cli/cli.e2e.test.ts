import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matmulReference, writeMatMulModel } from '../support/tiny-models.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/server-process.js';
import { CLI, json, ROOT, runCli, sha256Of, startServer, type RunningServer } from './support/cli-harness.js';

const TOKEN = 'cli-e2e-token';
const MODEL = 'acme/cli-matmul';
const X = [1, 2, 3, 4, 0, 1, 0, -1];

/** Every `modelmora` command against a real server with a token: --json parsed, exit codes, errors. */
describe('modelmora CLI against a real server', () => {
  let running: RunningServer;
  let env: Record<string, string>;
  let dir: string;
  let modelPath: string;

  beforeAll(async () => {
    running = await startServer({ MODELMORA_API_TOKEN: TOKEN });
    env = { MODELMORA_URL: running.server.url, MODELMORA_API_TOKEN: TOKEN };
    dir = mkdtempSync(join(tmpdir(), 'modelmora-cli-'));
    modelPath = writeMatMulModel(join(dir, 'matmul'));
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers, lists, shows and versions a model (--json parsed), and refuses a duplicate with its error code', async () => {
    const registered = await runCli(['models', 'register', MODEL, '--task-type', 'tensor', '--source', modelPath, '--checksum', sha256Of(modelPath), '--json'], env);
    expect(registered.code).toBe(0);
    expect(json(registered)).toMatchObject({ model_id: MODEL, task_type: 'tensor', latest_version: 'main' });

    const duplicate = await runCli(['models', 'register', MODEL, '--task-type', 'tensor'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('MODEL_ALREADY_EXISTS');
    expect(duplicate.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const listed = await runCli(['models', 'ls', '--json'], env);
    expect(json(listed).items.map((m: { model_id: string }) => m.model_id)).toContain(MODEL);
    const table = await runCli(['models', 'ls'], env);
    expect(table.stdout).toMatch(new RegExp(`^MODEL\\s+TASK\\s+LATEST.*\\n${MODEL}\\s+tensor\\s+main`, 's'));

    const version = await runCli(['models', 'add-version', MODEL, 'v2', '--source', `file://${modelPath}`, '--json'], env);
    expect(version.code).toBe(0);
    expect(json(version)).toMatchObject({ model_id: MODEL, version: 'v2' });
    const shown = await runCli(['models', 'show', MODEL, '--json'], env);
    expect(json(shown).versions.map((v: { version: string }) => v.version)).toEqual(['main', 'v2']);
  });

  it('loads, shows status like `ollama ps`, warms up, infers sync and async, and reads the job back', async () => {
    const loaded = await runCli(['load', MODEL, '--version', 'main', '--json'], env);
    expect(loaded.code).toBe(0);
    const lifecycle = json(loaded);
    expect(lifecycle).toMatchObject({ model_id: MODEL, state: 'loaded', version: 'main' });
    expect(lifecycle.pid).toEqual(expect.any(Number));

    const status = json(await runCli(['status', '--json'], env));
    expect(status.models).toEqual([expect.objectContaining({ model_id: MODEL, state: 'loaded', pid: lifecycle.pid })]);
    expect(status.models[0].memory_mb).toBeGreaterThan(0);
    const ps = await runCli(['status'], env);
    expect(ps.stdout).toMatch(/^MODEL\s+STATE\s+VERSION\s+PID\s+MEMORY\s+UPTIME\s+IN-FLIGHT/);
    expect(ps.stdout).toContain(`${MODEL}  loaded  main     ${lifecycle.pid}`);

    const warm = await runCli(['warmup', MODEL, '--json'], env);
    expect(warm.code).toBe(0);
    expect(json(warm)).toMatchObject({ model_id: MODEL, warmup_ms: expect.any(Number) });

    const inputFile = join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ inputs: { x: { dims: [2, 4], data: X } } }));
    const sync = json(await runCli(['infer', MODEL, '--input', inputFile, '--json'], env));
    expect(sync.outputs.y.dims).toEqual([2, 2]);
    expect(sync.outputs.y.data).toEqual(matmulReference(X));
    const human = await runCli(['infer', MODEL, '--input', inputFile], env);
    expect(human.stdout).toContain(`y float32[2, 2]: ${JSON.stringify(matmulReference(X))}`);

    // Bare inputs on stdin (no `inputs` wrapper), asynchronously: the job id comes back.
    const submitted = await runCli(['infer', MODEL, '--input', '-', '--async'], env, JSON.stringify({ x: { dims: [2, 4], data: X } }));
    expect(submitted.code).toBe(0);
    const jobId = submitted.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(async () => json(await runCli(['jobs', 'show', jobId, '--json'], env)).status === 'completed', 'the async job to complete');
    const result = json(await runCli(['jobs', 'result', jobId, '--json'], env));
    expect(result.outputs.y.data).toEqual(matmulReference(X));
    const jobs = json(await runCli(['jobs', 'ls', '--model', MODEL, '--json'], env));
    expect(jobs.items.map((j: { job_id: string }) => j.job_id)).toContain(jobId);
    const cancel = await runCli(['jobs', 'cancel', jobId], env);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^error: CANNOT_CANCEL: /);

    const health = await runCli(['health', '--json'], env);
    expect(health.code).toBe(0);
    expect(json(health).healthy).toBe(true);
  });

  it('lists events with filters and follows new ones live (NDJSON with positions)', async () => {
    const listed = json(await runCli(['events', '--model', MODEL, '--json'], env));
    const types = listed.items.map((e: { event_type: string }) => e.event_type);
    expect(types).toEqual(expect.arrayContaining(['model.registered', 'model.version.added', 'model.load.started', 'model.loaded']));
    expect(listed.items.every((e: { payload: { model_id?: string } }) => e.payload.model_id === MODEL)).toBe(true);
    const onlyLoaded = json(await runCli(['events', '--type', 'model.loaded', '--json'], env));
    expect(onlyLoaded.items.map((e: { event_type: string }) => e.event_type)).toEqual(['model.loaded']);

    const follower = spawn(process.execPath, [CLI, 'events', '--follow', '--model', MODEL, '--type', 'model.unloaded', '--json'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    follower.stdout.on('data', (d) => (out += d));
    try {
      const unloaded = await runCli(['unload', MODEL, '--json'], env);
      expect(unloaded.code).toBe(0);
      const line = await eventually(() => out.split('\n').find((l) => l.includes('model.unloaded')), 'the follower to print model.unloaded');
      const event = JSON.parse(line);
      expect(event).toMatchObject({ event_type: 'model.unloaded', payload: { model_id: MODEL, reason: 'manual' } });
      expect(event.position).toEqual(expect.any(Number));
    } finally {
      follower.kill('SIGINT');
    }
  });

  it('unregisters, then reports a missing model with its error code and exit 1', async () => {
    expect((await runCli(['models', 'rm', MODEL], env)).code).toBe(0);
    const missing = await runCli(['models', 'show', MODEL], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: MODEL_NOT_FOUND: `);
  });

  it('says clearly when the token is missing or wrong (exit 4), the server unreachable (exit 3), or the usage wrong (exit 2)', async () => {
    const noToken = await runCli(['status'], { MODELMORA_URL: running.server.url });
    expect(noToken.code).toBe(4);
    expect(noToken.stderr).toMatch(/^error: UNAUTHORIZED: .*set MODELMORA_API_TOKEN/);
    const wrong = await runCli(['models', 'ls', '--token', 'nope'], { MODELMORA_URL: running.server.url });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('the token was refused');
    const followWrong = await runCli(['events', '--follow'], { MODELMORA_URL: running.server.url, MODELMORA_API_TOKEN: 'nope' });
    expect(followWrong.code).toBe(4);

    // A port nothing listens on.
    const closed = `http://127.0.0.1:${freePort()}`;
    const unreachable = await runCli(['status', '--url', closed], env);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain(`error: UNREACHABLE: cannot reach ModelMora at ${closed} (ECONNREFUSED)`);
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);

    expect((await runCli(['frobnicate'], env)).code).toBe(2);
    expect((await runCli(['infer', MODEL, '--input', join(dir, 'missing.json')], env)).code).toBe(2);
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
  });
});
