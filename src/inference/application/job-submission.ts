import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { Database } from '../../shared/database/database.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { JobRecord } from '../infrastructure/job.record.js';
import type { SubmitJobInput, SubmittedJob } from './commands/submit-job/submit-job.command.js';
import { MODEL_RUNTIME, type InferenceInput, type ModelRuntimePort } from './inference-runtime.js';
import { ModelDirectory } from './model-directory.js';
import { QueueWriter } from './queue-writer.js';

/**
 * The one way a job enters the queue (REST sync and async, Kafka commands): the model
 * must be registered, the request id not already used, then the queue decides
 * (priority, inputs for the task type, timeout, room) and the inputs are stored with
 * the event in the same group commit.
 */
@Injectable()
export class JobSubmission {
  constructor(
    private readonly writer: QueueWriter,
    private readonly directory: ModelDirectory,
    private readonly db: Database,
    @Inject(MODEL_RUNTIME) private readonly runtime: ModelRuntimePort,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** `jobId` is made by the caller, so a sync caller can start waiting before the job can end. */
  async submit(input: SubmitJobInput, jobId: string): Promise<SubmittedJob> {
    const model = await this.directory.get(input.model_id);
    const requestId = input.request_id ?? null;
    if (requestId) {
      // A job that already ended left the queue's state; the read model still knows its request id.
      const earlier = await this.db.repository(JobRecord).findOne({ where: { request_id: requestId }, order: { submitted_at: 'ASC' } });
      if (earlier) return { job_id: earlier.job_id, status: earlier.status, duplicate: true };
    }
    const limits = { maxQueueSize: this.options.maxQueueSize, defaultTimeoutMs: this.options.defaultTimeoutMs };
    const modelState = this.runtime.state(input.model_id);
    const { value } = await this.writer.execute((queue, ctx, payloads): SubmittedJob => {
      const live = queue.duplicateOf(requestId);
      if (live) return { job_id: live.job_id, status: live.status, duplicate: true };
      queue.submit({
        job_id: jobId, model_id: model.model_id, task_type: model.task_type, inputs: input.inputs,
        priority: input.priority, timeout_ms: input.timeout_ms, request_id: requestId, model_state: modelState,
      }, limits, ctx);
      payloads.inputs.set(jobId, input.inputs as InferenceInput);
      return { job_id: jobId, status: 'queued', duplicate: false };
    });
    return value;
  }
}
