import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { TIMEOUT_MESSAGE } from '../../domain/inference-queue.errors.js';
import type { JobRequeued, RequeueReason } from '../../domain/inference-queue.events.js';
import {
  BatchFailedError, MODEL_SERVING, type InferenceOutput, type InferResult, type ModelServingPort,
} from '../../../lifecycle/contracts.js';
import { InferenceMetrics } from '../metrics/inference-metrics.js';
import { QueueRecorder, type Decision } from '../recording/queue-recorder.js';
import type { EventContext } from '../../../shared/domain/event-envelope.js';
import type { InferenceQueue } from '../inference-queue.aggregate.js';
import type { DispatchJob } from '../ports/job-dispatch.port.js';

/** What became of a batch, for the dispatcher: the decision that ended its jobs (with the completed ones' outputs) to answer their callers from, jobs that ended, jobs to run again after a pause. */
export interface BatchEnd {
  decision?: Decision<unknown>;
  outputs?: ReadonlyMap<string, InferenceOutput>;
  ended: string[];
  requeued: Array<{ job: DispatchJob; delayMs: number }>;
}

/** What became of a batch whose worker call did not return results. */
type BatchFailure =
  | { kind: 'requeue'; reason: RequeueReason; message: string }
  | { kind: 'fail'; code: string; message: string };

/** Runs one batch on its model's worker (job.started, one call, an end per item), never waiting for a commit. */
@Injectable()
export class BatchRunner {
  private readonly logger = new Logger('InferenceDispatch');

  constructor(
    private readonly recorder: QueueRecorder,
    private readonly metrics: InferenceMetrics,
    @Inject(MODEL_SERVING) private readonly runtime: ModelServingPort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** Jobs no longer queued by now (cancelled, timed out) are skipped; `nowMs` is the dispatcher's clock, the deadlines' own. */
  async run(modelId: string, batch: readonly DispatchJob[], nowMs: number): Promise<BatchEnd> {
    const { value: startedIds } = this.recorder.decide((queue, ctx) => new Set(queue.start(batch.map((j) => j.job_id), ctx).map((e) => e.payload.job_id as string)));
    const started = batch.filter((j) => startedIds.has(j.job_id));
    if (started.length === 0) return { ended: [], requeued: [] };
    this.metrics.batchSize.observe({ model_id: modelId }, started.length);
    const deadlineMs = Math.max(1, Math.max(...started.map((j) => j.deadlineAtMs)) - nowMs);
    const t0 = performance.now();
    let result: InferResult;
    try {
      this.metrics.workerCalls.inc({ model_id: modelId });
      result = await this.runtime.infer(modelId, started.map((j) => j.inputs), deadlineMs);
    } catch (err) {
      return this.settleFailure(started, classify(err));
    }
    const elapsedMs = performance.now() - t0;
    this.metrics.sessionRuns.inc({ model_id: modelId }, result.session_runs);
    // The decision returns the outputs of the jobs it completed: they go back to the dispatcher for their callers, and to the store where it keeps them.
    const decision = this.recorder.decide(
      (queue, ctx) => started.flatMap((job, i) => endItem(queue, ctx, job, result.results[i], elapsedMs)),
      (completed) => ({ outputs: new Map(completed.filter(([job]) => this.keepsOutputs(job)).map(([job, out]) => [job.job_id, out])) }),
    );
    const outputs = new Map(decision.value.map(([job, out]) => [job.job_id, out]));
    return { decision, outputs, ended: started.map((j) => j.job_id), requeued: [] };
  }

  private keepsOutputs(job: DispatchJob): boolean {
    return !job.sync || this.options.storeSyncResults;
  }

  private settleFailure(jobs: readonly DispatchJob[], failure: BatchFailure): BatchEnd {
    if (failure.kind === 'requeue') {
      this.logger.warn({ msg: 'batch requeued', reason: failure.reason, error: failure.message, jobs: jobs.length });
    }
    const decision = this.recorder.decide((queue, ctx) => {
      for (const job of jobs) {
        if (failure.kind === 'requeue') {
          queue.requeue({ job_id: job.job_id, reason: failure.reason, error_message: failure.message, max_retries: this.options.jobMaxRetries }, ctx);
        } else {
          queue.fail({ job_id: job.job_id, error_code: failure.code, error_message: failure.message }, ctx);
        }
      }
    });
    const requeued = decision.events.filter((e): e is JobRequeued => e.event_type === 'job.requeued');
    const byId = new Map(jobs.map((j) => [j.job_id, j]));
    return {
      decision,
      ended: jobs.filter((j) => !requeued.some((e) => e.payload.job_id === j.job_id)).map((j) => j.job_id),
      requeued: requeued.map((e) => ({ job: byId.get(e.payload.job_id)!, delayMs: e.payload.delay_ms })),
    };
  }
}

/** One item's end: job.completed with its outputs, or job.failed; returns [job, outputs] when it completed. */
function endItem(queue: InferenceQueue, ctx: EventContext, job: DispatchJob, r: InferResult['results'][number] | undefined, elapsedMs: number): Array<[DispatchJob, InferenceOutput]> {
  if (r?.ok) return queue.complete(job.job_id, elapsedMs, ctx).length ? [[job, r.outputs]] : [];
  queue.fail({
    job_id: job.job_id, error_code: r?.error.code ?? 'INFERENCE_FAILED',
    error_message: r?.error.message ?? 'the worker returned no result for this item', processing_time_ms: elapsedMs,
  }, ctx);
  return [];
}

function classify(err: unknown): BatchFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BatchFailedError) {
    if (err.kind === 'worker_exited') return { kind: 'requeue', reason: 'worker_exited', message };
    if (err.kind === 'timeout') return { kind: 'fail', code: 'INFERENCE_TIMEOUT', message: TIMEOUT_MESSAGE };
    return { kind: 'fail', code: err.code ?? 'INFERENCE_FAILED', message };
  }
  if (err instanceof DomainError) {
    if (err.code === 'MODEL_NOT_LOADED' || err.code === 'MODEL_UNHEALTHY') return { kind: 'requeue', reason: 'not_ready', message };
    return { kind: 'fail', code: err.code, message };
  }
  return { kind: 'fail', code: 'INFERENCE_FAILED', message };
}
