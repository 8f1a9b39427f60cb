import { JobPriorityQueue, type QueueTicket } from '../../domain/scheduling/priority-queue.js';
import type { LiveJob } from '../../domain/inference-queue.state.js';
import type { Priority } from '../../domain/scheduling/priority.js';
import type { InferenceInput } from '../../../lifecycle/contracts.js';

/** A live job as the dispatcher holds it: with its inputs, ready to go to a worker. */
export interface DispatchJob {
  readonly job_id: string;
  readonly model_id: string;
  readonly priority: Priority;
  readonly task_type: string;
  readonly inputs: InferenceInput;
  readonly submittedAtMs: number;
  readonly deadlineAtMs: number;
  /** Its place in its lane's queue while queued (stale after): how it is cancelled, without a lookup by id. */
  queueTicket?: QueueTicket;
}

/** The dispatcher's form of a job the log holds, with its stored inputs (recovery, takeover). */
export function dispatchJobOf(job: LiveJob, inputs: InferenceInput): DispatchJob {
  const submittedAtMs = Date.parse(job.submitted_at);
  return {
    job_id: job.job_id, model_id: job.model_id, priority: job.priority, task_type: job.task_type, inputs,
    submittedAtMs, deadlineAtMs: submittedAtMs + job.timeout_ms,
  };
}

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
    }, Math.max(0, atMs - Date.now()));
    timer.unref();
    this.wake = { atMs, timer };
  }

  clearWake(): void {
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = undefined;
  }
}
