import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { TIMEOUT_MESSAGE } from '../../domain/inference-queue.errors.js';
import type { RequeueReason } from '../../domain/inference-queue.events.js';
import {
  MODEL_RUNTIME, WorkerExitedError, WorkerRequestError, WorkerTimeoutError, type InferResult, type ModelRuntimePort,
} from '../inference-runtime.js';
import { InferenceMetrics } from '../metrics/inference-metrics.js';
import { QueueWriter } from '../queue-writer.js';
import type { DispatchJob } from './model-lane.js';

/** What became of a batch whose worker call did not return results. */
type BatchFailure =
  | { kind: 'requeue'; reason: RequeueReason; message: string }
  | { kind: 'fail'; code: string; message: string };

/**
 * Runs one batch on its model's worker: job.started for the jobs still queued, one
 * worker call, then job.completed (outputs to the result table) or job.failed per
 * item, all in one group commit. A worker that dies mid-call sends the batch back to
 * the queue with a backoff (the domain bounds the retries); a model that is not ready
 * after all sends it back without using a retry.
 */
@Injectable()
export class BatchRunner {
  private readonly logger = new Logger('InferenceDispatch');

  constructor(
    private readonly writer: QueueWriter,
    private readonly metrics: InferenceMetrics,
    @Inject(MODEL_RUNTIME) private readonly runtime: ModelRuntimePort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** Jobs no longer queued by now (cancelled, timed out) are skipped: their end is already recorded. */
  async run(modelId: string, batch: readonly DispatchJob[]): Promise<void> {
    const { value: startedIds } = await this.writer.execute((queue, ctx) => new Set(queue.start(batch.map((j) => j.job_id), ctx).map((e) => e.payload.job_id as string)));
    const started = batch.filter((j) => startedIds.has(j.job_id));
    if (started.length === 0) return;
    this.metrics.batchSize.observe({ model_id: modelId }, started.length);
    const deadlineMs = Math.max(1, Math.max(...started.map((j) => j.deadlineAtMs)) - Date.now());
    const t0 = performance.now();
    let result: InferResult;
    try {
      this.metrics.workerCalls.inc({ model_id: modelId });
      result = await this.runtime.infer(modelId, started.map((j) => j.inputs), deadlineMs);
    } catch (err) {
      await this.settleFailure(started, classify(err));
      return;
    }
    const elapsedMs = performance.now() - t0;
    this.metrics.sessionRuns.inc({ model_id: modelId }, result.session_runs);
    await this.writer.execute((queue, ctx, payloads) => {
      started.forEach((job, i) => {
        const r = result.results[i];
        if (r?.ok) {
          if (queue.complete(job.job_id, elapsedMs, ctx).length) payloads.outputs.set(job.job_id, r.outputs);
        } else {
          queue.fail({
            job_id: job.job_id, error_code: r?.error.code ?? 'INFERENCE_FAILED',
            error_message: r?.error.message ?? 'the worker returned no result for this item', processing_time_ms: elapsedMs,
          }, ctx);
        }
      });
    });
  }

  private async settleFailure(jobs: readonly DispatchJob[], failure: BatchFailure): Promise<void> {
    if (failure.kind === 'requeue') {
      this.logger.warn({ msg: 'batch requeued', reason: failure.reason, error: failure.message, jobs: jobs.length });
    }
    await this.writer.execute((queue, ctx) => {
      for (const job of jobs) {
        if (failure.kind === 'requeue') {
          queue.requeue({ job_id: job.job_id, reason: failure.reason, error_message: failure.message, max_retries: this.options.jobMaxRetries }, ctx);
        } else {
          queue.fail({ job_id: job.job_id, error_code: failure.code, error_message: failure.message }, ctx);
        }
      }
    });
  }
}

function classify(err: unknown): BatchFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WorkerExitedError) return { kind: 'requeue', reason: 'worker_exited', message };
  if (err instanceof WorkerTimeoutError) return { kind: 'fail', code: 'INFERENCE_TIMEOUT', message: TIMEOUT_MESSAGE };
  if (err instanceof WorkerRequestError) return { kind: 'fail', code: err.code, message };
  if (err instanceof DomainError) {
    if (err.code === 'MODEL_NOT_LOADED' || err.code === 'MODEL_UNHEALTHY') return { kind: 'requeue', reason: 'not_ready', message };
    return { kind: 'fail', code: err.code, message };
  }
  return { kind: 'fail', code: 'INFERENCE_FAILED', message };
}
