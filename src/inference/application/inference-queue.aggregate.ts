import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import { EventSourcedAggregate } from '../../shared/event-sourcing/event-sourced-aggregate.js';
import {
  decideQueue, duplicateOf, type Admission, type FailJobDecision, type JobRequest, type QueueLimits, type ServedModelFacts, type SubmitJobDecision,
} from '../domain/inference-queue.decide.js';
import { INFERENCE_QUEUE, type JobFailed, type JobReleased, type RequeueReason } from '../domain/inference-queue.events.js';
import {
  emptyQueue, evolveQueue, fromSnapshot, removeJob, toSnapshot, type InferenceQueueSnapshot, type InferenceQueueState, type LiveJob,
} from '../domain/inference-queue.state.js';

/** This instance's inference queue over the pure decisions in `domain/`; each method returns the events it applied (none: nothing to do). */
export class InferenceQueue extends EventSourcedAggregate<InferenceQueueState> {
  readonly aggregateType = INFERENCE_QUEUE;

  constructor(id: string) {
    super(id, emptyQueue());
  }

  job(jobId: string): LiveJob | undefined {
    return this.state.jobs.get(jobId);
  }

  /** Live jobs in submission order. */
  jobs(): IterableIterator<LiveJob> {
    return this.state.jobs.values();
  }

  get size(): number {
    return this.state.jobs.size;
  }

  duplicateOf(modelId: string, requestId: string | null | undefined): LiveJob | undefined {
    return duplicateOf(this.state, modelId, requestId);
  }

  submit(d: SubmitJobDecision, limits: QueueLimits, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.submit(this.state, this.id, d, limits, ctx));
  }

  /** A request: the live job its request id already names, or the new job's job.submitted. */
  admit(request: JobRequest, model: ServedModelFacts, limits: QueueLimits, ctx: EventContext): Admission {
    const admission = decideQueue.admit(this.state, this.id, request, model, limits, ctx);
    if ('submitted' in admission) this.apply(admission.submitted);
    return admission;
  }

  start(jobIds: readonly string[], ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.start(this.state, this.id, jobIds, ctx));
  }

  complete(jobId: string, processingTimeMs: number, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.complete(this.state, this.id, jobId, processingTimeMs, ctx));
  }

  fail(d: FailJobDecision, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.fail(this.state, this.id, d, ctx));
  }

  timeOut(jobId: string, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.timeOut(this.state, this.id, jobId, ctx));
  }

  cancel(jobId: string, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.cancel(this.state, this.id, jobId, ctx));
  }

  requeue(d: { job_id: string; reason: RequeueReason; error_message: string; max_retries: number }, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.requeue(this.state, this.id, d, ctx));
  }

  /** Adopts a dead queue's live jobs; returns the job.released events for the old stream (appended with ours). */
  adopt(from: { queueId: string; jobs: readonly LiveJob[] }, ctx: EventContext): { adopted: DomainEvent[]; released: JobReleased[] } {
    const { adopted, released } = decideQueue.adopt(this.state, this.id, from, ctx);
    return { adopted: this.applyAll(adopted), released };
  }

  /** The end of a job whose own facts the store refused (see QueueRecorder). */
  unrecordable(job: { job_id: string; model_id: string }, sqlState: string, ctx: EventContext): JobFailed {
    const failed = decideQueue.unrecordable(this.id, job, sqlState, ctx);
    this.apply(failed);
    return failed;
  }

  /** Drops a job without an event: its submission was never recorded, so for the log it never existed. */
  forget(jobId: string): void {
    removeJob(this.state, jobId);
  }

  recover(maxRetries: number, ctx: EventContext): DomainEvent[] {
    return this.applyAll(decideQueue.recover(this.state, this.id, maxRetries, ctx));
  }

  override snapshotState(): InferenceQueueState {
    return toSnapshot(this.state) as unknown as InferenceQueueState;
  }

  override restoreSnapshot(state: InferenceQueueState, version: number): void {
    super.restoreSnapshot(fromSnapshot(state as unknown as InferenceQueueSnapshot), version);
  }

  /** A snapshot costs O(live jobs): take one every max(every, live jobs) events, O(1) per event amortised. */
  override snapshotInterval(every: number): number {
    return Math.max(every, this.state.jobs.size);
  }

  protected evolve(state: InferenceQueueState, event: DomainEvent): InferenceQueueState {
    return evolveQueue(state, event);
  }
}
