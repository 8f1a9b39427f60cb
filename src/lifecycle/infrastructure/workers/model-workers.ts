import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RecordCrashCommand } from '../../application/commands/record-crash/record-crash.command.js';
import { WorkerProcess } from './worker-process.js';
import { asBatchFailure } from './batch-failure.js';
import { WorkerExitedError } from './worker-errors.js';
import type { InferenceInput, InferResult, LoadPayload, ModelMetadata } from './worker-protocol.js';

/** One worker as status and eviction see it: a copy taken now, never the live record. */
export interface WorkerSnapshot {
  readonly modelId: string;
  readonly pid: number;
  readonly startedAtMs: number;
  readonly lastUsedMs: number;
  /** Last measured RSS of the worker. */
  readonly memoryMb: number;
  readonly inflight: number;
}

/** A health ping's outcome; `skipped` when the worker is gone or busy (a busy worker answers late). */
export type PingOutcome = { kind: 'answered' } | { kind: 'missed'; missedInARow: number } | { kind: 'skipped' };

/** Only ModelWorkers writes these fields. */
interface RunningWorker {
  readonly modelId: string;
  readonly process: WorkerProcess;
  readonly pid: number;
  readonly startedAtMs: number;
  lastUsedMs: number;
  rssMb: number;
  inflight: number;
  missedPings: number;
}

/**
 * The worker processes of this server, one per loaded model, and what is known of each:
 * last use, calls in flight, measured RSS, missed pings. It knows processes, not states:
 * the lifecycle manager decides, this carries out and reports an exit nobody asked for as a RecordCrash command.
 */
@Injectable()
export class ModelWorkers {
  private readonly logger = new Logger('ModelWorkers');
  private readonly running = new Map<string, RunningWorker>();

  constructor(private readonly commands: CommandBus) {}

  /** Forks a worker and loads the model in it (killed on any failure). */
  async spawn(modelId: string, load: LoadPayload): Promise<{ pid: number; metadata: ModelMetadata }> {
    const child = new WorkerProcess({ label: modelId, onOutput: (line) => this.logger.log(line) });
    try {
      await child.start();
      const metadata = await child.load(load);
      const now = Date.now();
      const worker: RunningWorker = { modelId, process: child, pid: child.pid!, startedAtMs: now, lastUsedMs: now, rssMb: metadata.rss_mb, inflight: 0, missedPings: 0 };
      child.onExit((exit) => {
        if (this.running.get(modelId) !== worker) return;
        this.running.delete(modelId);
        if (!exit.expected) this.reportCrash(modelId, `worker exited unexpectedly (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`);
      });
      this.running.set(modelId, worker);
      return { pid: worker.pid, metadata };
    } catch (err) {
      if (child.running) await child.kill().catch(() => undefined);
      throw err;
    }
  }

  /** Measures the worker's RSS now (keeping the last reading if that fails); undefined once the worker is gone. */
  async measure(modelId: string): Promise<number | undefined> {
    const worker = this.running.get(modelId);
    if (!worker) return undefined;
    worker.rssMb = await worker.process.rssMb().catch(() => worker.rssMb);
    return worker.rssMb;
  }

  /** One inference batch on the model's worker; rejects with WorkerExitedError when it has none. */
  async run(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult> {
    const worker = this.running.get(modelId);
    if (!worker) throw asBatchFailure(new WorkerExitedError(undefined));
    worker.inflight += 1;
    worker.lastUsedMs = Date.now();
    try {
      return await worker.process.infer(items, { deadlineMs });
    } catch (err) {
      throw asBatchFailure(err);
    } finally {
      worker.inflight -= 1;
      worker.lastUsedMs = Date.now();
    }
  }

  /** Pings an idle worker with a deadline; an answer resets its missed pings and refreshes its RSS. */
  async ping(modelId: string, deadlineMs: number): Promise<PingOutcome> {
    const worker = this.running.get(modelId);
    if (!worker || worker.inflight > 0) return { kind: 'skipped' };
    try {
      const { rss_mb } = await worker.process.ping({ deadlineMs });
      worker.missedPings = 0;
      worker.rssMb = rss_mb;
      return { kind: 'answered' };
    } catch {
      worker.missedPings += 1;
      return { kind: 'missed', missedInARow: worker.missedPings };
    }
  }

  /** Graceful shutdown, SIGKILL after `graceMs`; resolves once the process is gone. Its exit is no crash. */
  async stop(modelId: string, graceMs = 5_000): Promise<void> {
    const worker = this.running.get(modelId);
    if (!worker) return;
    this.running.delete(modelId);
    await worker.process.shutdown(graceMs);
  }

  has(modelId: string): boolean {
    return this.running.has(modelId);
  }

  snapshot(modelId: string): WorkerSnapshot | undefined {
    const worker = this.running.get(modelId);
    return worker && toSnapshot(worker);
  }

  snapshots(): WorkerSnapshot[] {
    return [...this.running.values()].map(toSnapshot);
  }

  private reportCrash(modelId: string, reason: string): void {
    this.commands.execute(new RecordCrashCommand(modelId, reason)).catch((err) => this.logger.error(`recording crash of ${modelId}: ${err}`));
  }
}

function toSnapshot(w: RunningWorker): WorkerSnapshot {
  return { modelId: w.modelId, pid: w.pid, startedAtMs: w.startedAtMs, lastUsedMs: w.lastUsedMs, memoryMb: w.rssMb, inflight: w.inflight };
}
