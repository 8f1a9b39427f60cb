import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import type { JobSubmitted } from '../../domain/inference-queue.events.js';
import { resolveBatchingPolicy, type BatchingPolicy } from '../../domain/scheduling/batch-planner.js';
import type { Priority } from '../../domain/scheduling/priority.js';
import { MODEL_SERVING, type InferenceInput, type ModelServingPort } from '../../../lifecycle/contracts.js';
import { JobLedger } from '../jobs/job-ledger.js';
import type { QueueDepth } from '../metrics/queue-depth.port.js';
import { QueueRecorder } from '../recording/queue-recorder.js';
import { dispatchJobOf, JobDispatch, type AdmittedModel, type DispatchJob } from '../ports/job-dispatch.port.js';
import type { JobOutcome } from '../ports/job-outcomes.port.js';
import { BatchRunner, type BatchEnd } from './batch-runner.js';
import { DeadlineTimers } from './deadline-timers.js';
import { ModelLane } from './model-lane.js';

/** Routes live jobs to their model's worker: a lane per model, batches by its policy, lazy loads, a deadline per job (docs/architecture.md). */
@Injectable()
export class JobDispatcher implements JobDispatch, OnModuleDestroy, QueueDepth {
  private readonly logger = new Logger('InferenceDispatch');
  private readonly lanes = new Map<string, ModelLane>();
  private readonly deadlines: DeadlineTimers;
  private readonly backoffs = new Set<NodeJS.Timeout>();
  private readonly defaultPolicy: BatchingPolicy;
  private readonly policies = new WeakMap<object, BatchingPolicy>();
  private stopped = false;
  /** The injected clock's time: it stamped the jobs' submissions, so it measures their deadlines and waits. */
  private readonly now = (): number => this.clock.now().getTime();

  constructor(
    private readonly recorder: QueueRecorder,
    private readonly ledger: JobLedger,
    private readonly runner: BatchRunner,
    private readonly clock: EventContextFactory,
    @Inject(MODEL_SERVING) private readonly runtime: ModelServingPort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    this.deadlines = new DeadlineTimers(this.now);
    this.defaultPolicy = { maxBatchSize: options.maxBatchSize, maxWaitMs: options.maxBatchWaitMs, maxBatchTokens: options.maxBatchTokens };
  }

  /** A sync job: its caller waits from the start, and the answer comes back from the ledger when the job ends. */
  run(submitted: JobSubmitted, inputs: unknown, recorded: Promise<void>, model: AdmittedModel): Promise<JobOutcome> {
    const job = dispatchJobOf({ ...submitted.payload, submitted_at: submitted.timestamp }, inputs as InferenceInput, true);
    const outcome = this.ledger.waitFor(job);
    this.admit(job, recorded, model);
    return outcome;
  }

  enqueue(submitted: JobSubmitted, inputs: unknown, recorded: Promise<void>, model: AdmittedModel): void {
    const job = dispatchJobOf({ ...submitted.payload, submitted_at: submitted.timestamp }, inputs as InferenceInput);
    this.ledger.track(job);
    this.admit(job, recorded, model);
  }

  /** A just-submitted job gets its deadline and goes to the worker as soon as its lane allows. */
  private admit(job: DispatchJob, recorded: Promise<void>, model: AdmittedModel): void {
    recorded.catch((err: Error) => this.ledger.drop([job.job_id], err));
    this.deadlines.arm(job.job_id, job.deadlineAtMs, (id) => this.expire(id));
    const lane = this.lane(job.model_id, model);
    lane.enqueue(job);
    this.pump(lane);
  }

  /** A live job found at start-up or taken over: queued ones join their lane now (dispatched on `wake`). */
  adopt(job: DispatchJob, status: 'queued' | 'processing', model: AdmittedModel | undefined): void {
    this.deadlines.arm(job.job_id, job.deadlineAtMs, (id) => this.expire(id));
    if (status === 'queued') this.lane(job.model_id, model).enqueue(job);
  }

  /** Dispatch what a model's lane holds (after adoption, a load, a recovery). */
  wake(modelId?: string): void {
    if (modelId === undefined) for (const lane of this.lanes.values()) this.pump(lane);
    else if (this.lanes.has(modelId)) this.pump(this.lanes.get(modelId)!);
  }

  /** Fails every queued job of a model (its load failed, it was unregistered). */
  failQueued(modelId: string, code: string, message: string): void {
    const drained = this.lanes.get(modelId)?.drain() ?? [];
    if (drained.length === 0) return;
    this.logger.warn({ msg: 'failing queued jobs', model_id: modelId, jobs: drained.length, error_code: code, error: message });
    for (const j of drained) this.deadlines.clear(j.job_id);
    this.ledger.settle(this.recorder.decide((queue, ctx) => drained.forEach((j) => queue.fail({ job_id: j.job_id, error_code: code, error_message: message }, ctx))));
  }

  /** Live jobs whose inputs are gone (sync jobs of a dead instance: their callers are gone too). */
  failLost(jobIds: readonly string[]): void {
    for (const id of jobIds) this.deadlines.clear(id);
    this.ledger.settle(this.recorder.decide((queue, ctx) => jobIds.forEach((job_id) => queue.fail({
      job_id, error_code: 'INFERENCE_FAILED', error_message: 'the instance that ran this job stopped, and its caller is gone',
    }, ctx))));
  }

  /** Cancels a queued job (CANNOT_CANCEL otherwise); resolves once the cancellation is recorded. */
  cancel(jobId: string): Promise<void> {
    const decision = this.recorder.decide((queue, ctx) => queue.cancel(jobId, ctx));
    this.removeQueued(jobId);
    this.ledger.settle(decision);
    return decision.recorded;
  }

  depthByPriority(): Record<Priority, number> {
    const total: Record<Priority, number> = { low: 0, normal: 0, high: 0, critical: 0 };
    for (const lane of this.lanes.values()) {
      for (const [p, n] of Object.entries(lane.queue.sizeByPriority())) total[p as Priority] += n;
    }
    return total;
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.deadlines.clearAll();
    for (const t of this.backoffs) clearTimeout(t);
    this.backoffs.clear();
    for (const lane of this.lanes.values()) lane.clearWake();
  }

  private removeQueued(jobId: string): void {
    this.deadlines.clear(jobId);
    const job = this.ledger.get(jobId) ?? this.ledger.endOf(jobId)?.job;
    if (job) this.lanes.get(job.model_id)?.remove(job);
  }

  private expire(jobId: string): void {
    if (this.stopped) return;
    try {
      const decision = this.recorder.decide((queue, ctx) => queue.timeOut(jobId, ctx));
      if (decision.events.length) this.removeQueued(jobId);
      this.ledger.settle(decision);
    } catch (err) {
      this.logger.error(`timing out job ${jobId}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** A batch's end answers its callers (the runner's decision, returned along the calls), then clears deadlines and schedules requeues. */
  private afterBatch(end: BatchEnd): void {
    if (end.decision) this.ledger.settle(end.decision, end.outputs);
    for (const id of end.ended) this.deadlines.clear(id);
    for (const { job, delayMs } of end.requeued) this.requeueAfter(job, delayMs);
  }

  /** A job sent back to the queue (a lost run) joins its lane again after its backoff. */
  requeueAfter(job: DispatchJob, delayMs: number): void {
    const timer = setTimeout(() => {
      this.backoffs.delete(timer);
      if (this.stopped || !this.ledger.get(job.job_id)) return;
      const lane = this.lane(job.model_id);
      lane.enqueue(job);
      this.pump(lane);
    }, delayMs);
    timer.unref();
    this.backoffs.add(timer);
  }

  /** A model's lane, its batching policy set from the catalog's facts when a job brings them. */
  private lane(modelId: string, model?: AdmittedModel): ModelLane {
    let lane = this.lanes.get(modelId);
    if (!lane) {
      lane = new ModelLane(modelId, this.options.agingIntervalMs, this.defaultPolicy, this.now);
      this.lanes.set(modelId, lane);
    }
    if (model) lane.policy = this.batchingPolicy(model.config);
    return lane;
  }

  /** Resolved once per catalog entry (the directory caches one config object per model until the catalog changes). */
  private batchingPolicy(config: AdmittedModel['config']): BatchingPolicy {
    if (!config) return this.defaultPolicy;
    let policy = this.policies.get(config);
    if (!policy) this.policies.set(config, (policy = resolveBatchingPolicy(this.defaultPolicy, config)));
    return policy;
  }

  private pump(lane: ModelLane): void {
    if (this.stopped || lane.queue.size === 0) return;
    const state = this.runtime.state(lane.modelId);
    if (state !== 'loaded') {
      // Unhealthy or unloading: wait for the lifecycle's next event (or the jobs' deadlines).
      if (state !== 'unhealthy' && state !== 'unloading') this.ensureLoaded(lane);
      return;
    }
    while (lane.inflight < this.options.workerConcurrency) {
      const now = this.now();
      const next = lane.next(now);
      if (!next) return;
      if ('wakeAtMs' in next) return lane.wakeAt(next.wakeAtMs, () => this.pump(lane));
      const { batch } = next;
      lane.inflight++;
      this.runner
        .run(lane.modelId, batch, now)
        .then((end) => this.afterBatch(end))
        .catch((err) => {
          if (this.stopped) return;
          this.logger.error(`batch of ${batch.length} for ${lane.modelId} failed: ${err instanceof Error ? err.stack : err}`);
          for (const job of batch) if (this.ledger.get(job.job_id)) this.requeueAfter(job, 1_000);
        })
        .finally(() => {
          lane.inflight--;
          this.pump(lane);
        });
    }
  }

  private ensureLoaded(lane: ModelLane): void {
    if (lane.loading) return;
    lane.loading = true;
    this.runtime.ensureLoaded(lane.modelId).then(
      () => {
        lane.loading = false;
        this.pump(lane);
      },
      (err: unknown) => {
        lane.loading = false;
        if (this.stopped) return;
        const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'LOAD_FAILED';
        this.failQueued(lane.modelId, code, err instanceof Error ? err.message : String(err));
      },
    );
  }
}
