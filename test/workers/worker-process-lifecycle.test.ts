import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WorkerExitedError, WorkerTimeoutError, type WorkerExit } from '../../src/lifecycle/infrastructure/workers/worker-errors.js';
import { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { fixtureEntry, tsxExecArgv } from './fixtures/tsx-entry.js';
import { pidAlive, scratchDir, waitUntil, WorkerPool } from './worker-test-helpers.js';

describe('WorkerProcess lifecycle', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  const modelDir = join(scratch.dir, 'matmul');

  beforeAll(() => {
    writeMatMulModel(modelDir);
  });

  afterAll(async () => {
    await pool.stopAll();
    scratch.cleanup();
  });

  it('reports RSS through ping and /proc', async () => {
    const worker = await pool.start();
    await worker.load({ modelDir, taskType: 'tensor' });
    const ping = await worker.ping();
    expect(ping.rss_mb).toBeGreaterThan(10);
    expect(await worker.rssMb()).toBeGreaterThan(10);
  });

  it('shuts down gracefully and the process is gone', async () => {
    const worker = await pool.start();
    await worker.load({ modelDir, taskType: 'tensor' });
    const pid = worker.pid!;
    const exit = await worker.shutdown(5_000);
    expect(exit).toEqual({ code: 0, signal: null, expected: true });
    expect(worker.running).toBe(false);
    expect(pidAlive(pid)).toBe(false);
    await expect(worker.ping()).rejects.toThrow(WorkerExitedError);
  });

  it('SIGKILLs a worker that does not finish within the grace period', async () => {
    const worker = await pool.start();
    process.kill(worker.pid!, 'SIGSTOP'); // it can no longer answer anything
    const exit = await worker.shutdown(300);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL', expected: true });
  });

  it('fires onExit at once and rejects pending requests when the worker is killed', async () => {
    const worker = await pool.start();
    await worker.load({ modelDir, taskType: 'tensor' });
    const exits: WorkerExit[] = [];
    worker.onExit((exit) => exits.push(exit));
    process.kill(worker.pid!, 'SIGSTOP'); // keeps the next request pending for sure
    const pending = worker.infer([{ x: { dims: [1, 4], data: [1, 2, 3, 4] } }]);
    process.kill(worker.pid!, 'SIGKILL');

    await expect(pending).rejects.toThrow(WorkerExitedError);
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL', expected: false }]);
    await expect(worker.ping()).rejects.toThrow(WorkerExitedError);
  });

  it('rejects a request past its deadline with WorkerTimeoutError and ignores the late reply', async () => {
    const worker = await pool.start();
    process.kill(worker.pid!, 'SIGSTOP');
    const late = worker.ping({ deadlineMs: 200 });
    await expect(late).rejects.toThrow(WorkerTimeoutError);
    await expect(late).rejects.toMatchObject({ requestType: 'ping', deadlineMs: 200 });
    process.kill(worker.pid!, 'SIGCONT');
    expect((await worker.ping()).rss_mb).toBeGreaterThan(0);
  });

  it('pipes the worker output to the parent with a prefix', async () => {
    const lines: string[] = [];
    const worker = await pool.start({ label: 'noisy', entry: fixtureEntry('noisy-worker.ts'), onOutput: (l) => lines.push(l) });
    await waitUntil(() => lines.length >= 2, 5_000, 'two output lines');
    expect(lines.sort()).toEqual([
      `[worker noisy pid=${worker.pid}] hello from stderr`,
      `[worker noisy pid=${worker.pid}] hello from stdout`,
    ]);
  });

  it('fails start() with WorkerTimeoutError when the worker never reports ready, and kills it', async () => {
    const worker = new WorkerProcess({ entry: fixtureEntry('silent-worker.ts'), startTimeoutMs: 2_000 });
    await expect(worker.start()).rejects.toThrow(WorkerTimeoutError);
    const pid = worker.pid!;
    await waitUntil(() => !pidAlive(pid), 5_000, 'the silent worker to be killed');
  });

  it('exits by itself when its parent is SIGKILLed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/orphan-parent.ts', import.meta.url));
    const parent = spawn(process.execPath, [...tsxExecArgv(), fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`intermediate parent exited early (${code})`)));
    });
    const workerPid = Number(firstLine);
    expect(pidAlive(workerPid)).toBe(true);

    parent.kill('SIGKILL');
    await waitUntil(() => !pidAlive(workerPid), 10_000, `worker ${workerPid} to exit`);
  });
});
