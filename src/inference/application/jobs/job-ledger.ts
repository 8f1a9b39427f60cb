import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import type { InferenceQueueEvent } from '../../domain/inference-queue.events.js';
import type { InferenceOutput } from '../../../lifecycle/contracts.js';
import type { DispatchJob } from '../ports/job-dispatch.port.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { InferenceTimeoutError, jobError } from '../../domain/inference-queue.errors.js';
import { JobOutcomes, type JobEnd, type JobOutcome } from '../ports/job-outcomes.port.js';

const SAFETY_MARGIN_MS = 30_000;

interface Waiter {
  resolve: (outcome: JobOutcome) => void;
  reject: (err: Error) => void;
}

interface Tracked {
  readonly job: DispatchJob;
  waiters: Waiter[];
  end?: JobEnd;
  outputs?: InferenceOutput;
}

/** The one owner of "what became of job X" here: live jobs, their waiting callers, and each end until it is recorded. */
@Injectable()
export class JobLedger implements JobOutcomes, OnModuleDestroy {
  private readonly jobs = new Map<string, Tracked>();

  constructor(private readonly clock: EventContextFactory) {}

  track(job: DispatchJob): void {
    if (!this.jobs.has(job.job_id)) this.jobs.set(job.job_id, { job, waiters: [] });
  }

  /** Tracks a sync job and waits for its end: its caller is waiting before the job can end. */
  waitFor(job: DispatchJob): Promise<JobOutcome> {
    this.track(job);
    return this.outcome(job.job_id)!;
  }

  /** A live job (not ended), with its inputs. */
  get(jobId: string): DispatchJob | undefined {
    const t = this.jobs.get(jobId);
    return t && !t.end ? t.job : undefined;
  }

  isSync(jobId: string): boolean {
    return this.jobs.get(jobId)?.job.sync ?? false;
  }

  /** The end of a job not yet recorded, if that is where it is. */
  endOf(jobId: string): { job: DispatchJob; end: JobEnd } | undefined {
    const t = this.jobs.get(jobId);
    return t?.end ? { job: t.job, end: t.end } : undefined;
  }

  /** Waits for a tracked job to end (at once if it already has), at most until its deadline has long passed; undefined for a job not held here. */
  outcome(jobId: string): Promise<JobOutcome> | undefined {
    const t = this.jobs.get(jobId);
    if (!t) return undefined;
    const left = t.job.deadlineAtMs - this.clock.now().getTime() + SAFETY_MARGIN_MS;
    return new Promise<JobOutcome>((resolve, reject) => {
      // The job's own timer should have ended it: past its deadline and a margin, the caller gives up.
      const giveUp = setTimeout(() => reject(new InferenceTimeoutError(jobId)), Math.max(0, left));
      giveUp.unref();
      const waiter: Waiter = {
        resolve: (outcome) => {
          clearTimeout(giveUp);
          resolve(outcome);
        },
        reject: (err) => {
          clearTimeout(giveUp);
          reject(err);
        },
      };
      if (t.end) answer(t, waiter);
      else t.waiters.push(waiter);
    });
  }

  /** A decision's terminal events settle their callers now (a sync caller never waits for the database); each job goes once its end is recorded. */
  settle(decision: { events: readonly DomainEvent[]; recorded: Promise<void> }, outputs?: ReadonlyMap<string, InferenceOutput>): void {
    for (const event of decision.events) {
      const e = event as InferenceQueueEvent;
      const t = this.jobs.get(e.payload.job_id);
      if (!t) continue;
      const end = endOf(e);
      if (!end) continue;
      t.end = end;
      t.outputs = outputs?.get(t.job.job_id);
      for (const w of t.waiters.splice(0)) answer(t, w);
      const drop = () => {
        if (this.jobs.get(t.job.job_id) === t) this.jobs.delete(t.job.job_id);
      };
      decision.recorded.then(drop, drop);
    }
  }

  /** Jobs whose submission the store refused: their callers hear why, and the jobs are gone. */
  drop(jobIds: readonly string[], err: Error): void {
    for (const id of jobIds) {
      const t = this.jobs.get(id);
      if (!t) continue;
      this.jobs.delete(id);
      for (const w of t.waiters.splice(0)) w.reject(err);
    }
  }

  get size(): number {
    return this.jobs.size;
  }

  onModuleDestroy(): void {
    const err = new DomainError('SERVICE_UNAVAILABLE', 'the server is shutting down; an acknowledged job runs again after a restart');
    for (const t of this.jobs.values()) for (const w of t.waiters.splice(0)) w.reject(err);
  }
}

function endOf(e: InferenceQueueEvent): JobEnd | undefined {
  switch (e.event_type) {
    case 'job.completed':
      return { status: 'completed', at: e.timestamp, processing_time_ms: e.payload.processing_time_ms };
    case 'job.failed':
      return { status: 'failed', at: e.timestamp, processing_time_ms: e.payload.processing_time_ms, error_code: e.payload.error_code, error_message: e.payload.error_message };
    case 'job.cancelled':
      return { status: 'cancelled', at: e.timestamp };
    default:
      return undefined;
  }
}

function answer(t: Tracked, w: Waiter): void {
  const id = t.job.job_id;
  const end = t.end!;
  if (end.status === 'completed') {
    if (t.outputs === undefined) return w.reject(jobError(id, 'RESULT_NOT_FOUND', `the outputs of job ${id} are not kept`));
    return w.resolve({ job_id: id, outputs: t.outputs, processing_time_ms: end.processing_time_ms });
  }
  if (end.status === 'failed') return w.reject(jobError(id, end.error_code, end.error_message));
  w.reject(jobError(id, 'JOB_CANCELLED', `job ${id} was cancelled`));
}
