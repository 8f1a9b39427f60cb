import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import type { StoredEvent } from '../../../shared/event-store/stored-event.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import type { InferenceQueueEvent } from '../../domain/inference-queue.events.js';
import { planDispatch, resolveBatchingPolicy } from '../../domain/scheduling/batch-planner.js';
import type { Priority } from '../../domain/scheduling/priority.js';
import type { FlushPayloads } from '../flush-payloads.js';
import { MODEL_RUNTIME, type ModelRuntimePort } from '../inference-runtime.js';
import { InferenceMetrics } from '../metrics/inference-metrics.js';
import { ModelDirectory } from '../model-directory.js';
import { QueueWriter } from '../queue-writer.js';
import { BatchRunner } from './batch-runner.js';
import { DeadlineTimers } from './deadline-timers.js';
import { ModelLane, type DispatchJob } from './model-lane.js';

/**
 * Routes live jobs to their model's worker: one priority queue per model, batches
 * shaped by the model's batching policy, at most `workerConcurrency` calls in flight
 * per worker, lazy loading (a job for a model that is not loaded asks the lifecycle to
 * load it, once, and waits in the queue), and a deadline timer per job.
 *
 * It learns about jobs from the queue writer's commits (which carry the inputs), never
 * from an uncommitted decision: a job is dispatched only once its submission is durable.
 */
@Injectable()
export class JobDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('InferenceDispatch');
  private readonly lanes = new Map<string, ModelLane>();
  /** Every live job this instance knows, queued, running or waiting out a backoff. */
  private readonly jobs = new Map<string, DispatchJob>();
  private readonly deadlines = new DeadlineTimers();
  private readonly backoffs = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly writer: QueueWriter,
    private readonly runner: BatchRunner,
    private readonly directory: ModelDirectory,
    metrics: InferenceMetrics,
    @Inject(MODEL_RUNTIME) private readonly runtime: ModelRuntimePort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    writer.onCommitted((events, payloads) => this.onCommitted(events, payloads));
    metrics.setDepthSource(() => this.depthByPriority());
  }

  /** A live job found at start-up: queued ones join their lane now, processing ones when their requeue commits. */
  adopt(job: DispatchJob, status: 'queued' | 'processing'): void {
    this.track(job);
    if (status === 'queued') this.lane(job.model_id).enqueue(job);
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
    this.writer
      .execute((queue, ctx) => drained.forEach((j) => queue.fail({ job_id: j.job_id, error_code: code, error_message: message }, ctx)))
      .catch((err) => this.logger.error(`failing ${drained.length} jobs of ${modelId}: ${err}`));
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

  private onCommitted(events: readonly StoredEvent[], payloads: FlushPayloads): void {
    const touched = new Set<ModelLane>();
    for (const { event } of events) {
      const e = event as InferenceQueueEvent;
      switch (e.event_type) {
        case 'job.submitted': {
          const inputs = payloads.inputs.get(e.payload.job_id);
          if (inputs === undefined) break;
          const submittedAtMs = Date.parse(e.timestamp);
          const job: DispatchJob = {
            job_id: e.payload.job_id, model_id: e.payload.model_id, priority: e.payload.priority, inputs,
            submittedAtMs, deadlineAtMs: submittedAtMs + e.payload.timeout_ms,
          };
          this.track(job);
          const lane = this.lane(job.model_id);
          lane.enqueue(job);
          touched.add(lane);
          break;
        }
        case 'job.requeued':
          this.requeueAfter(e.payload.job_id, e.payload.delay_ms);
          break;
        case 'job.completed':
        case 'job.failed':
        case 'job.cancelled':
          this.forget(e.payload.job_id);
          break;
      }
    }
    for (const lane of touched) this.pump(lane);
  }

  private track(job: DispatchJob): void {
    this.jobs.set(job.job_id, job);
    this.deadlines.arm(job.job_id, job.deadlineAtMs, (id) => this.expire(id));
  }

  private forget(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    this.deadlines.clear(jobId);
    this.lanes.get(job.model_id)?.remove(job);
  }

  private requeueAfter(jobId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.backoffs.delete(timer);
      const job = this.jobs.get(jobId);
      if (!job || this.stopped) return;
      const lane = this.lane(job.model_id);
      lane.enqueue(job);
      this.pump(lane);
    }, delayMs);
    timer.unref();
    this.backoffs.add(timer);
  }

  private expire(jobId: string): void {
    if (this.stopped) return;
    this.writer.execute((queue, ctx) => queue.timeOut(jobId, ctx)).catch((err) => this.logger.error(`timing out job ${jobId}: ${err}`));
  }

  private lane(modelId: string): ModelLane {
    let lane = this.lanes.get(modelId);
    if (!lane) {
      lane = new ModelLane(modelId, this.options.agingIntervalMs);
      this.lanes.set(modelId, lane);
    }
    return lane;
  }

  private pump(lane: ModelLane): void {
    if (this.stopped || lane.queue.size === 0) return;
    const state = this.runtime.state(lane.modelId);
    if (state !== 'loaded') {
      // Unhealthy or unloading: wait for the lifecycle's next event (or the jobs' deadlines).
      if (state !== 'unhealthy' && state !== 'unloading') this.ensureLoaded(lane);
      return;
    }
    const policy = resolveBatchingPolicy(
      { maxBatchSize: this.options.maxBatchSize, maxWaitMs: this.options.maxBatchWaitMs },
      this.directory.peek(lane.modelId)?.config,
    );
    while (lane.inflight < this.options.workerConcurrency) {
      const now = Date.now();
      const plan = planDispatch(policy, { size: lane.queue.size, oldestEnqueuedAtMs: lane.queue.oldestEnqueuedAtMs(), inflight: lane.inflight }, now);
      if (plan.kind === 'idle') return;
      if (plan.kind === 'wait') return lane.wakeAt(plan.atMs, () => this.pump(lane));
      lane.clearWake();
      const batch = lane.queue.dequeueBatch(now, plan.count);
      lane.inflight++;
      this.runner
        .run(lane.modelId, batch)
        .catch((err) => {
          if (this.stopped) return; // shutting down: the log still has these jobs, a restart runs them
          this.logger.error(`batch of ${batch.length} for ${lane.modelId} failed: ${err instanceof Error ? err.stack : err}`);
          // Still queued in the log (the start was never committed): they go back, after a pause.
          for (const job of batch) if (this.jobs.has(job.job_id)) this.requeueAfter(job.job_id, 1_000);
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
