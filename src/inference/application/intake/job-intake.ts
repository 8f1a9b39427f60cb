import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { databaseOutage } from '../../../shared/database/database-unavailable.js';
import { Database } from '../../../shared/database/database.js';
import { DomainError } from '../../../shared/domain/domain-error.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import type { QueueLimits } from '../../domain/inference-queue.decide.js';
import { InferenceTimeoutError } from '../../domain/inference-queue.errors.js';
import type { JobSubmitted } from '../../domain/inference-queue.events.js';
import { JobRecord } from '../../infrastructure/job.record.js';
import type { SubmitJobInput, SubmittedJob } from '../commands/submit-job/submit-job.command.js';
import { JobDispatcher } from '../dispatch/job-dispatcher.js';
import type { DispatchJob } from '../dispatch/model-lane.js';
import { MODEL_SERVING, type InferenceInput, type ModelServingPort } from '../../../lifecycle/contracts.js';
import { jobError, JobLedger, type JobOutcome } from '../jobs/job-ledger.js';
import { ModelDirectory } from '../model-directory.js';
import { GetJobResultQuery } from '../queries/get-job-result/get-job-result.query.js';
import { QueueRecorder } from '../recording/queue-recorder.js';

/** Past the job's own deadline, a caller that heard nothing gives up (the job's timer should have ended it). */
const SAFETY_MARGIN_MS = 30_000;

interface Admitted {
  job: DispatchJob;
  recorded: Promise<void>;
}

const unavailable = (why: string) => new DomainError('SERVICE_UNAVAILABLE', why);

/**
 * Where every job enters (REST sync and async, OIP, Kafka commands):
 * submit → decide (in memory) → dispatch → worker → record → answer.
 * A sync job is dispatched at once and answered from memory; its facts are recorded
 * write-behind. An async job is acknowledged once its job.submitted and inputs are on
 * disk (one group commit); it is dispatched at once all the same.
 */
@Injectable()
export class JobIntake {
  /** Fixed by the options: computed once, not per job. */
  private readonly limits: QueueLimits;
  private readonly longestTimeoutMs: number;

  constructor(
    private readonly recorder: QueueRecorder,
    private readonly ledger: JobLedger,
    private readonly dispatcher: JobDispatcher,
    private readonly directory: ModelDirectory,
    private readonly db: Database,
    private readonly queries: QueryBus,
    private readonly context: EventContextFactory,
    @Inject(MODEL_SERVING) private readonly runtime: ModelServingPort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    this.limits = { maxQueueSize: options.maxQueueSize, maxQueuedPerModel: options.maxQueuedPerModel, defaultTimeoutMs: options.defaultTimeoutMs };
    this.longestTimeoutMs = Math.max(...Object.values(options.defaultTimeoutMs));
  }

  /** The sync path: the outputs, or the job's failure as a DomainError. */
  async run(input: SubmitJobInput): Promise<JobOutcome> {
    if (!this.recorder.accepting) throw unavailable('too many job records are waiting for the database; retry later');
    const model = await this.directory.get(input.model_id);
    const earlier = await this.earlier(model.model_id, input.request_id, true);
    const admitted = earlier ?? this.admit(model, input, true);
    if ('duplicate' in admitted) return this.outcomeOf(admitted.job_id, input.timeout_ms);
    return this.bounded(this.ledger.outcome(admitted.job.job_id)!, admitted.job.job_id, input.timeout_ms);
  }

  /** The async path: resolves once the submission is durable. */
  async submit(input: SubmitJobInput): Promise<SubmittedJob> {
    if (!this.recorder.reachable || !this.recorder.accepting) throw unavailable('the database is unreachable: durable jobs cannot be acknowledged now; retry later');
    const model = await this.directory.get(input.model_id);
    const admitted = (await this.earlier(model.model_id, input.request_id, false)) ?? this.admit(model, input, false);
    if ('duplicate' in admitted) return admitted;
    await this.within(admitted.recorded, this.options.submitAckTimeoutMs);
    return { job_id: admitted.job.job_id, status: 'queued', duplicate: false };
  }

  /** Decides the submission; a live job of the same request id (decided meanwhile) is returned instead. */
  private admit(model: { model_id: string; task_type: string }, input: SubmitJobInput, sync: boolean): Admitted | SubmittedJob {
    const jobId = this.context.newId();
    const decision = this.recorder.decide(
      (queue, ctx) => queue.duplicateOf(model.model_id, input.request_id) ?? queue.submit({
        job_id: jobId, model_id: model.model_id, task_type: model.task_type, inputs: input.inputs, priority: input.priority,
        timeout_ms: input.timeout_ms, request_id: input.request_id ?? null, model_state: this.runtime.state(model.model_id),
        declared_inputs: this.runtime.declaredInputs(model.model_id),
      }, this.limits, ctx),
      sync ? {} : { inputs: new Map([[jobId, input.inputs]]) },
    );
    if (!Array.isArray(decision.value)) return { job_id: decision.value.job_id, status: decision.value.status, duplicate: true };
    const submitted = decision.events[0] as JobSubmitted;
    const submittedAtMs = Date.parse(submitted.timestamp);
    const job: DispatchJob = {
      job_id: jobId, model_id: model.model_id, priority: submitted.payload.priority, task_type: model.task_type, inputs: input.inputs as InferenceInput,
      submittedAtMs, deadlineAtMs: submittedAtMs + submitted.payload.timeout_ms,
    };
    this.ledger.track(job, sync);
    this.dispatcher.enqueue(job);
    decision.recorded.catch((err: Error) => this.ledger.drop([jobId], err));
    return { job, recorded: decision.recorded };
  }

  /** The job a request id already names for this model: live here, or on record. */
  private async earlier(modelId: string, requestId: string | undefined, sync: boolean): Promise<SubmittedJob | undefined> {
    if (!requestId) return undefined;
    const live = this.recorder.read((queue) => queue.duplicateOf(modelId, requestId));
    if (live) return { job_id: live.job_id, status: live.status, duplicate: true };
    try {
      const row = await this.db.repository(JobRecord).findOne({ where: { request_id: requestId, model_id: modelId }, order: { submitted_at: 'ASC' } });
      return row ? { job_id: row.job_id, status: row.status, duplicate: true } : undefined;
    } catch (err) {
      // A sync caller is served without the database; an ended duplicate then runs again.
      if (sync && databaseOutage(err)) return undefined;
      throw err;
    }
  }

  /** The outcome of an earlier job with the same request id: wait for it if it is live here, else its record. */
  private async outcomeOf(jobId: string, timeoutMs: number | undefined): Promise<JobOutcome> {
    const waiting = this.ledger.outcome(jobId);
    if (waiting) return this.bounded(waiting, jobId, timeoutMs);
    const row = await this.db.repository(JobRecord).findOneBy({ job_id: jobId });
    if (row?.status === 'failed') throw jobError(jobId, row.error_code ?? 'INFERENCE_FAILED', row.error_message ?? 'failed');
    if (row?.status === 'cancelled') throw jobError(jobId, 'JOB_CANCELLED', `job ${jobId} was cancelled`);
    if (row?.status !== 'completed') throw unavailable(`job ${jobId} of this request id runs on another instance; poll GET /api/v1/jobs/${jobId}`);
    const result = await this.queries.execute(new GetJobResultQuery(jobId));
    return { job_id: jobId, outputs: result.outputs as JobOutcome['outputs'], processing_time_ms: result.processing_time_ms ?? 0 };
  }

  private bounded(outcome: Promise<JobOutcome>, jobId: string, timeoutMs: number | undefined): Promise<JobOutcome> {
    const longest = timeoutMs ?? this.longestTimeoutMs;
    return this.within(outcome, longest + SAFETY_MARGIN_MS, () => new InferenceTimeoutError(jobId));
  }

  private within<T>(work: Promise<T>, ms: number, onTimeout = () => unavailable('the database did not acknowledge the job in time; resubmit with the same request_id')): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
      timer.unref();
    });
    return Promise.race([work, giveUp]).finally(() => clearTimeout(timer));
  }
}
