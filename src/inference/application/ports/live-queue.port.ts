import type { DomainEvent, EventContext } from '../../../shared/domain/event-envelope.js';
import type { Admission, JobRequest, QueueLimits, ServedModelFacts } from '../../domain/inference-queue.decide.js';
import type { InferenceQueue } from '../inference-queue.aggregate.js';

/** What a decision hands the recorder besides its events: the data the events deliberately leave out. */
export interface JobPayloads {
  /** An async job's inputs: stored with its job.submitted, so an acknowledged job can always run again. */
  inputs?: ReadonlyMap<string, unknown>;
  /** A completed job's outputs, kept until they expire (async jobs; sync ones only when configured). */
  outputs?: ReadonlyMap<string, unknown>;
}

/** A decision made on the live queue: its value, its events, and when they are on disk. */
export interface Decision<T> {
  value: T;
  events: readonly DomainEvent[];
  /** Resolves once the events committed; rejects if the store refused them for good. */
  recorded: Promise<void>;
}

/** The live inference queue of this instance, decided on in memory and recorded write-behind (QueueRecorder). */
export abstract class LiveQueue {
  /** Decides now; `payloads` (or a function of the decision's value) are stored with its events. */
  abstract decide<T>(fn: (queue: InferenceQueue, ctx: EventContext) => T, payloads?: JobPayloads | ((value: T) => JobPayloads)): Decision<T>;
  /**
   * A request joins the queue (or finds the live job its request id names). `durable` (async) stores its
   * inputs with job.submitted. SERVICE_UNAVAILABLE while new work may not enter (see `refuseNewWork`).
   */
  abstract admit(request: JobRequest, model: ServedModelFacts, durable: boolean): Decision<Admission>;
  /** Throws SERVICE_UNAVAILABLE while new work may not enter: fenced, closing, too much unrecorded, or (durable) no database. */
  abstract refuseNewWork(durable: boolean): void;
  /** Reads the live queue (no events). */
  abstract read<T>(fn: (queue: InferenceQueue) => T): T;
  /** What a submission is decided against. */
  abstract get limits(): QueueLimits;
}
