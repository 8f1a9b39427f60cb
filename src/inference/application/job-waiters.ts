import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../../shared/domain/domain-error.js';
import type { StoredEvent } from '../../shared/event-store/stored-event.js';
import type { InferenceQueueEvent } from '../domain/inference-queue.events.js';
import type { FlushPayloads } from './flush-payloads.js';
import type { InferenceOutput } from './inference-runtime.js';
import { QueueWriter } from './queue-writer.js';

/** What a synchronous caller gets back. */
export interface JobOutcome {
  job_id: string;
  outputs: InferenceOutput;
  processing_time_ms: number;
}

interface Waiter {
  resolve: (outcome: JobOutcome) => void;
  reject: (err: Error) => void;
}

/** How a job that did not complete reaches a waiting caller: its failure in the error language. */
export function jobError(jobId: string, code: string, message: string): DomainError {
  return new DomainError(code, message, { job_id: jobId });
}

/**
 * Synchronous callers waiting for their job to end. Settled from the writer's commits
 * (which carry the outputs of the flush), so a caller hears of its job the moment its
 * end is durable — no polling.
 */
@Injectable()
export class JobWaiters implements OnModuleDestroy {
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(writer: QueueWriter) {
    writer.onCommitted((events, payloads) => this.settle(events, payloads));
  }

  /**
   * Starts waiting for `jobId` to end. Register BEFORE the job can end (the sync path
   * makes the id, waits, then submits). `dispose` stops waiting.
   */
  expect(jobId: string): { outcome: Promise<JobOutcome>; dispose: () => void } {
    let waiter!: Waiter;
    const outcome = new Promise<JobOutcome>((resolve, reject) => (waiter = { resolve, reject }));
    const set = this.waiting.get(jobId) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiting.set(jobId, set);
    const dispose = () => {
      set.delete(waiter);
      if (set.size === 0 && this.waiting.get(jobId) === set) this.waiting.delete(jobId);
    };
    outcome.then(dispose, dispose);
    return { outcome, dispose };
  }

  get size(): number {
    return this.waiting.size;
  }

  onModuleDestroy(): void {
    const err = new DomainError('SERVICE_UNAVAILABLE', 'the server is shutting down; the job will run again after a restart');
    for (const set of this.waiting.values()) for (const w of set) w.reject(err);
    this.waiting.clear();
  }

  private settle(events: readonly StoredEvent[], payloads: FlushPayloads): void {
    for (const { event } of events) {
      const e = event as InferenceQueueEvent;
      const set = this.waiting.get(e.payload.job_id);
      if (!set) continue;
      const id = e.payload.job_id;
      for (const w of [...set]) {
        switch (e.event_type) {
          case 'job.completed':
            w.resolve({ job_id: id, outputs: payloads.outputs.get(id) as InferenceOutput, processing_time_ms: e.payload.processing_time_ms });
            break;
          case 'job.failed':
            w.reject(jobError(id, e.payload.error_code, e.payload.error_message));
            break;
          case 'job.cancelled':
            w.reject(jobError(id, 'JOB_CANCELLED', `job ${id} was cancelled`));
            break;
        }
      }
    }
  }
}
