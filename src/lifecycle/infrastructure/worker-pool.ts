import { Logger } from '@nestjs/common';
import { WorkerProcess } from './workers/worker-process.js';
import type { WorkerExit } from './workers/worker-errors.js';
import type { ModelMetadata, RuntimeOptions } from './workers/worker-protocol.js';

export interface RunningWorker {
  readonly modelId: string;
  readonly worker: WorkerProcess;
  readonly startedAtMs: number;
  lastUsedMs: number;
  rssMb: number;
  inflight: number;
  missedPings: number;
}

/**
 * The worker processes of this server, one per loaded model. It knows processes, not
 * states: the lifecycle aggregate decides, the pool carries out and reports exits.
 */
export class WorkerPool {
  private readonly logger = new Logger('WorkerPool');
  private readonly running = new Map<string, RunningWorker>();

  constructor(private readonly onCrash: (modelId: string, exit: WorkerExit) => void) {}

  /** Forks a worker and loads the model in it; on any failure the process is killed. */
  async spawn(modelId: string, modelDir: string, taskType: string, options: RuntimeOptions = {}): Promise<{ entry: RunningWorker; metadata: ModelMetadata }> {
    const worker = new WorkerProcess({ label: modelId, onOutput: (line) => this.logger.log(line) });
    try {
      await worker.start();
      const metadata = await worker.load({ modelDir, taskType, runtimeOptions: options });
      const now = Date.now();
      const entry: RunningWorker = { modelId, worker, startedAtMs: now, lastUsedMs: now, rssMb: metadata.rss_mb, inflight: 0, missedPings: 0 };
      worker.onExit((exit) => {
        if (this.running.get(modelId) !== entry) return;
        this.running.delete(modelId);
        if (!exit.expected) this.onCrash(modelId, exit);
      });
      this.running.set(modelId, entry);
      return { entry, metadata };
    } catch (err) {
      if (worker.running) await worker.kill().catch(() => undefined);
      throw err;
    }
  }

  get(modelId: string): RunningWorker | undefined {
    return this.running.get(modelId);
  }

  has(modelId: string): boolean {
    return this.running.has(modelId);
  }

  all(): RunningWorker[] {
    return [...this.running.values()];
  }

  /** Graceful shutdown, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(modelId: string, graceMs = 5_000): Promise<void> {
    const entry = this.running.get(modelId);
    if (!entry) return;
    this.running.delete(modelId);
    await entry.worker.shutdown(graceMs);
  }
}
