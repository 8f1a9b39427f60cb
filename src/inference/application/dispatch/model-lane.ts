import { planDispatch, type BatchingPolicy } from '../../domain/scheduling/batch-planner.js';
import { JobPriorityQueue } from '../../domain/scheduling/priority-queue.js';
import { estimateTokens } from '../../domain/scheduling/token-estimate.js';
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
  /** Each job's estimated tokens, computed once (a job may be planned many times while it waits). */
  private readonly tokenEstimates = new WeakMap<DispatchJob, number>();

  constructor(
    readonly modelId: string,
    agingIntervalMs: number,
    /** The model's batching policy as its latest submission's catalog facts say (a catalog change reaches it with the next job). */
    public policy: BatchingPolicy,
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

  /** The batch its worker takes now by the model's batching policy (the planner's call), when to look again, or nothing. */
  next(nowMs: number): { batch: DispatchJob[] } | { wakeAtMs: number } | undefined {
    const { queue } = this;
    const plan = planDispatch(this.policy, { size: queue.size, oldestEnqueuedAtMs: queue.oldestEnqueuedAtMs(), inflight: this.inflight, tokens: this.queuedTokens(nowMs) }, nowMs);
    if (plan.kind === 'idle') return undefined;
    if (plan.kind === 'wait') return { wakeAtMs: plan.atMs };
    this.clearWake();
    return { batch: queue.dequeueBatch(nowMs, plan.count) };
  }

  /** The queued jobs' estimated tokens in dequeue order, computed lazily: the planner reads only as far as a batch reaches. */
  private *queuedTokens(nowMs: number): Generator<number> {
    for (const job of this.queue.values(nowMs)) {
      let tokens = this.tokenEstimates.get(job);
      if (tokens === undefined) this.tokenEstimates.set(job, (tokens = estimateTokens(job.inputs)));
      yield tokens;
    }
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
