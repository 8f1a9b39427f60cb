/**
 * Our in-process JobPriorityQueue against the baseline the upstream ModelMora
 * proof of concept validated (Python's asyncio.PriorityQueue), same N, same
 * priority mix, same machine, same run. Ops = 2N per round (enqueue + dequeue).
 *
 *   npx tsx bench/queue/queue-bench.ts [--items 100000] [--rounds 5]
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PRIORITIES, type Priority } from '../../src/inference/domain/scheduling/priority.js';
import { DEFAULT_AGING_INTERVAL_MS, JobPriorityQueue } from '../../src/inference/domain/scheduling/priority-queue.js';

export interface QueueBenchOptions {
  items: number;
  rounds: number;
}

export interface QueueBenchResult {
  /** ops/s per round, ours. */
  ours: number[];
  /** ops/s per round, python3 asyncio.PriorityQueue. */
  python: number[];
}

const PYTHON_SCRIPT = fileURLToPath(new URL('./asyncio_priority_queue.py', import.meta.url));

interface Job {
  job_id: string;
  priority: Priority;
}

function oneRound(jobs: readonly Job[]): number {
  // Aging on, at the default interval; jobs arrive 1 ms apart on a simulated
  // clock and are taken 1 ms apart after, so 100k jobs span minutes and the
  // early low jobs really do age past later ones (the aging path is measured).
  const queue = new JobPriorityQueue<Job>({ agingIntervalMs: DEFAULT_AGING_INTERVAL_MS });
  const n = jobs.length;
  const start = performance.now();
  for (let seq = 0; seq < n; seq++) {
    const job = jobs[seq] as Job;
    queue.enqueue(job, job.priority, seq, job.job_id);
  }
  let taken = 0;
  while (queue.dequeue(n + taken) !== undefined) taken++;
  const elapsedMs = performance.now() - start;
  if (taken !== n) throw new Error(`took ${taken} of ${n} jobs`);
  return (2 * n) / (elapsedMs / 1000);
}

async function runPython(items: number, rounds: number, warmup: number): Promise<number[]> {
  const args = [PYTHON_SCRIPT, '--items', String(items), '--rounds', String(rounds), '--warmup', String(warmup)];
  const { stdout } = await promisify(execFile)('python3', args);
  return (JSON.parse(stdout) as { rounds: number[] }).rounds;
}

/**
 * Rounds alternate, ours then one Python round, so that both see the same
 * machine load (other work on a shared box moves figures by 2x within seconds);
 * never concurrently. Each side gets one untimed warm-up first: V8's JIT for
 * ours, the allocator's arenas for each fresh python3 process.
 */
export async function benchQueue({ items, rounds }: QueueBenchOptions): Promise<QueueBenchResult> {
  // Built before timing, like the Python side: the same seq % 4 mix.
  const jobs: Job[] = Array.from({ length: items }, (_, seq) => ({ job_id: `job-${seq}`, priority: PRIORITIES[seq % 4] as Priority }));
  oneRound(jobs);
  const ours: number[] = [];
  const python: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(oneRound(jobs));
    python.push(...(await runPython(items, 1, 1)));
  }
  return { ours, python };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function argValue(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const args = process.argv.slice(2);
  const options = { items: argValue(args, '--items', 100_000), rounds: argValue(args, '--rounds', 5) };
  const { ours, python } = await benchQueue(options);
  const fmt = (v: number) => `${(v / 1e6).toFixed(2)}M ops/s`;
  console.log(`items=${options.items} rounds=${options.rounds} (ops = enqueue + dequeue = ${2 * options.items} per round), load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} CPUs`);
  console.log(`JobPriorityQueue (node ${process.version}): median ${fmt(median(ours))}  rounds [${ours.map(fmt).join(', ')}]`);
  console.log(`asyncio.PriorityQueue (python3):  median ${fmt(median(python))}  rounds [${python.map(fmt).join(', ')}]`);
  console.log(`ratio ours/python: ${(median(ours) / median(python)).toFixed(2)}x`);
}
