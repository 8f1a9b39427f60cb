import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerProcess, type WorkerProcessOptions } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { TensorJson } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';

/** A scratch folder removed by the returned cleanup. */
export function scratchDir(prefix = 'modelmora-workers-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `check` holds, failing after `timeoutMs` (a bounded wait, not a sleep-then-assert). */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while the pid is a live process (a zombie awaiting its reaper counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function maxAbsDiff(a: readonly (number | boolean | string)[], b: readonly (number | boolean | string)[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce<number>((m, v, i) => Math.max(m, Math.abs(Number(v) - Number(b[i]))), 0);
}

export function expectTensorClose(actual: TensorJson | undefined, expected: TensorJson, tolerance = 1e-4): number {
  if (!actual) throw new Error('missing output tensor');
  if (actual.dims.join(',') !== expected.dims.join(',')) {
    throw new Error(`dims differ: [${actual.dims.join(', ')}] vs [${expected.dims.join(', ')}]`);
  }
  const err = maxAbsDiff(actual.data, expected.data);
  if (!(err <= tolerance)) throw new Error(`max abs error ${err} > ${tolerance}`);
  return err;
}

/** Starts workers and remembers them so a suite can stop every one in afterAll/afterEach. */
export class WorkerPool {
  private readonly workers: WorkerProcess[] = [];

  async start(options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
    const worker = new WorkerProcess({ label: 'test', ...options });
    this.workers.push(worker);
    await worker.start();
    return worker;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.kill()));
  }
}
