import { JobPriorityQueue } from '../../domain/scheduling/priority-queue.js';
import type { DispatchJob } from '../ports/job-dispatch.port.js';

/**
 * One model's queued jobs and its worker's occupancy. Jobs are queued with their
 * submission time, so a job requeued after a crash or a restart keeps its aging
 * credit (it still goes behind the jobs already waiting at its level).
 */
export class ModelLane {
  readonly queue: JobPriorityQueue<DispatchJob>;
  /** Worker calls in flight for this model. */
  inflight = 0;
  /** An `ensureLoaded` is pending: further jobs wait for it instead of asking again. */
  loading = false;
  private wake: { atMs: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    readonly modelId: string,
    agingIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.queue = new JobPriorityQueue<DispatchJob>({ agingIntervalMs });
  }

  enqueue(job: DispatchJob): void {
    if (!this.queue.isQueued(job.queueTicket)) job.queueTicket = this.queue.enqueue(job, job.priority, job.submittedAtMs);
  }

  remove(job: DispatchJob): boolean {
    return this.queue.remove(job.queueTicket);
  }

  /** Every queued job, highest priority first (a load failed, the model went away). */
  drain(): DispatchJob[] {
    return this.queue.drain(() => true);
  }

  /** Calls `fn` at `atMs` unless an earlier wake-up is already set. */
  wakeAt(atMs: number, fn: () => void): void {
    if (this.wake && this.wake.atMs <= atMs) return;
    this.clearWake();
    const timer = setTimeout(() => {
      this.wake = undefined;
      fn();
    }, Math.max(0, atMs - this.now()));
    timer.unref();
    this.wake = { atMs, timer };
  }

  clearWake(): void {
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = undefined;
  }
}
