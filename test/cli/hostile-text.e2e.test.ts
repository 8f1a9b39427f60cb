import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventually } from '../support/eventually.js';
import { writeOnnxModel } from '../support/tiny-models.js';
import { CLI, json, ROOT, runCli, sha256Of, startServer, type CliRun, type RunningServer } from './support/cli-harness.js';

const TOKEN = 'cli-hostile-token';
const MODEL = 'evil/terminal';
/** Sets the window title, clears the screen, paints a fake verdict green, opens a CSI with C1, flips the text and breaks the line. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\x1b[32mALL MODELS HEALTHY\x9b31m\u202eevil\u2066\x7f\r\n';
/** URL parsers drop tabs and line breaks: what survives in a path. */
const IN_PATH = HOSTILE.replace(/[\r\n]/g, '');
/** How the CLI must show the start of it: as text, and inside JSON. */
const SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J';
const SHOWN_IN_JSON = '\\u001b]0;pwned\\u0007\\u001b[2J';
const INPUT = `in${HOSTILE}`;
const OUTPUT = `out${HOSTILE}`;
/** What a terminal would act on: C0 but the CLI's own line breaks, DEL, C1, bidi marks and controls. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** `in…`[N] → `out…`[N]: an Identity whose tensor names carry the escapes. */
function writeHostileModel(dir: string): string {
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }] } } } });
  return writeOnnxModel(dir, { name: 'hostile', node: [{ opType: 'Identity', input: [INPUT], output: [OUTPUT] }], input: [vi(INPUT)], output: [vi(OUTPUT)] });
}

function expectSafe(run: CliRun, label: string): void {
  for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    const raw = RAW.exec(text);
    if (raw) {
      const near = JSON.stringify(text.slice(Math.max(0, raw.index - 30), raw.index + 30));
      throw new Error(`\`modelmora ${label}\` printed U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} raw on ${stream}, near ${near}`);
    }
  }
}

/**
 * A model registered with terminal escapes and bidi controls in every field that takes text
 * (display name, description, config, a source_url that ends up in last_error and a job's
 * error, its tensor names): every command shows them escaped, and --json stays valid JSON
 * that gives the exact strings back.
 */
describe('modelmora CLI against a server that returns hostile text', () => {
  let running: RunningServer;
  let env: Record<string, string>;
  let dir: string;
  let inputFile: string;
  let completedJob: string;
  let failedJob: string;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  /** Runs a command in both forms, safe on both streams; the human one must show `shown` when given. */
  const both = async (args: string[], shown?: string): Promise<{ human: CliRun; machine: CliRun }> => {
    const human = await runCli(args, env);
    const machine = await runCli([...args, '--json'], env);
    expectSafe(human, args.join(' '));
    expectSafe(machine, `${args.join(' ')} --json`);
    if (shown) expect(human.stdout + human.stderr).toContain(shown);
    return { human, machine };
  };

  beforeAll(async () => {
    running = await startServer({ MODELMORA_API_TOKEN: TOKEN });
    env = { MODELMORA_URL: running.server.url, MODELMORA_API_TOKEN: TOKEN };
    dir = mkdtempSync(join(tmpdir(), 'modelmora-cli-hostile-'));
    const modelPath = writeHostileModel(join(dir, 'model'));
    const registered = await api('POST', '/api/v1/models', {
      model_id: MODEL, task_type: 'tensor', display_name: HOSTILE, description: HOSTILE, config: { [HOSTILE]: HOSTILE },
      source_url: pathToFileURL(modelPath).href, checksum: sha256Of(modelPath),
    });
    expect(registered.status).toBe(201);
    // Inside the allowed roots but missing: the load fails with a message that quotes the path.
    const bad = await api('POST', `/api/v1/models/${encodeURIComponent(MODEL)}/versions`, { version: 'bad', source_url: `file://${dir}/${IN_PATH}.onnx` });
    expect(bad.status).toBe(201);
    inputFile = join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ inputs: { [INPUT]: { dims: [2], data: [1, 2] } } }));
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('load and infer show the output names escaped', async () => {
    const loaded = await runCli(['load', MODEL, '--version', 'main'], env);
    expect(loaded.code).toBe(0);
    expectSafe(loaded, 'load');
    const { human, machine } = await both(['infer', MODEL, '--input', inputFile], SHOWN);
    expect(human.code).toBe(0);
    expect(json(machine).outputs[OUTPUT]).toEqual({ dims: [2], type: 'float32', data: [1, 2] });
    const submitted = await api('POST', `/api/v1/infer/${encodeURIComponent(MODEL)}/async`, { inputs: { [INPUT]: { dims: [1], data: [5] } } });
    completedJob = submitted.body.job_id;
    await eventually(async () => (await api('GET', `/api/v1/jobs/${completedJob}`)).body.status === 'completed', 'the async job to complete');
  });

  it('a failed load prints `error: CODE: message` escaped, and the failure is on record', async () => {
    const { human, machine } = await both(['load', MODEL, '--version', 'bad'], SHOWN);
    expect(human.code).toBe(1);
    expect(machine.code).toBe(1);
    expect(human.stderr).toMatch(/^error: [A-Z_]+: /);
    const submitted = await api('POST', `/api/v1/infer/${encodeURIComponent(MODEL)}/async`, { inputs: { [INPUT]: { dims: [1], data: [1] } } });
    expect(submitted.status).toBe(202);
    failedJob = submitted.body.job_id;
    await eventually(async () => (await api('GET', `/api/v1/jobs/${failedJob}`)).body.status === 'failed', 'the job of the failed model to fail');
  });

  it('models ls, models show and status', async () => {
    const shown = await both(['models', 'show', MODEL], SHOWN);
    const model = json(shown.machine);
    expect(model).toEqual((await api('GET', `/api/v1/models/${encodeURIComponent(MODEL)}`)).body);
    expect([model.display_name, model.description, model.config[HOSTILE], model.io.inputs[0].name]).toEqual([HOSTILE, HOSTILE, HOSTILE, INPUT]);
    expect(model.lifecycle.last_error).toContain(IN_PATH);
    expect(json((await both(['models', 'ls'])).machine).items[0].display_name).toBe(HOSTILE);
    await both(['status']);
  });

  it('health', async () => {
    const { machine } = await both(['health'], SHOWN);
    expect(json(machine).models.models[0].error).toContain(IN_PATH);
  });

  it('jobs ls, jobs show and jobs result', async () => {
    expect(json((await both(['jobs', 'ls'])).machine).items.map((j: { job_id: string }) => j.job_id)).toEqual(expect.arrayContaining([failedJob]));
    expect(json((await both(['jobs', 'show', failedJob], SHOWN)).machine).error_message).toContain(IN_PATH);
    const result = await both(['jobs', 'result', completedJob], SHOWN_IN_JSON);
    expect(json(result.machine).outputs[OUTPUT].data).toEqual([5]);
  });

  it('events, listed and followed', async () => {
    const listed = await both(['events', '--model', MODEL], SHOWN_IN_JSON);
    const registered = json(listed.machine).items.find((e: { event_type: string }) => e.event_type === 'model.registered');
    expect(registered.payload).toMatchObject({ display_name: HOSTILE, description: HOSTILE, config: { [HOSTILE]: HOSTILE } });

    for (const asJson of [false, true]) {
      const follower = spawn(process.execPath, [CLI, 'events', '--follow', '--after', '0', '--model', MODEL, ...(asJson ? ['--json'] : [])], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
      const run: CliRun = { code: null, stdout: '', stderr: '' };
      follower.stdout.on('data', (d) => (run.stdout += d));
      follower.stderr.on('data', (d) => (run.stderr += d));
      const exited = new Promise((resolve) => follower.on('close', resolve));
      try {
        await eventually(() => run.stdout.includes('model.load.failed'), 'the follower to print the failed load');
      } finally {
        follower.kill('SIGINT');
        await exited;
      }
      expectSafe(run, `events --follow${asJson ? ' --json' : ''}`);
      if (asJson) {
        const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines.find((e) => e.event_type === 'model.registered').payload.display_name).toBe(HOSTILE);
      } else {
        expect(run.stdout).toContain(SHOWN_IN_JSON);
      }
    }
  });

  it('register and add-version echo what the server stored, escaped', async () => {
    const human = await runCli(['models', 'register', 'evil/second', '--task-type', 'tensor', '--display-name', HOSTILE], env);
    const machine = await runCli(['models', 'register', 'evil/third', '--task-type', 'tensor', '--display-name', HOSTILE, '--json'], env);
    const again = await runCli(['models', 'register', 'evil/third', '--task-type', 'tensor'], env);
    const added = await runCli(['models', 'add-version', MODEL, 'v3', '--source', join(dir, `${IN_PATH}.onnx`), '--json'], env);
    for (const [run, label] of [[human, 'register'], [machine, 'register --json'], [again, 'register (a duplicate)'], [added, 'add-version --json']] as const) expectSafe(run, label);
    expect(human.code).toBe(0);
    expect(json(machine).display_name).toBe(HOSTILE);
    expect(again.stderr).toMatch(/^error: MODEL_ALREADY_EXISTS: /);
    expect(json(added)).toMatchObject({ model_id: MODEL, version: 'v3' });
  });
});
