import { Inject } from '@nestjs/common';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import { EventContextFactory } from '../../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../../shared/nest/tokens.js';
import { InferenceTimeoutError } from '../../../domain/inference-queue.errors.js';
import { JobSubmission } from '../../job-submission.js';
import { jobError, JobWaiters, type JobOutcome } from '../../job-waiters.js';
import { GetJobResultQuery } from '../../queries/get-job-result/get-job-result.query.js';
import { GetJobQuery } from '../../queries/get-job/get-job.query.js';
import { TERMINAL_STATUSES } from '../../queries/job.view.js';
import { RunInferenceCommand } from './run-inference.command.js';

/** Past the job's own deadline, a waiter that heard nothing gives up (the job's timer should have ended it). */
const SAFETY_MARGIN_MS = 30_000;

@CommandHandler(RunInferenceCommand)
export class RunInferenceHandler implements ICommandHandler<RunInferenceCommand> {
  constructor(
    private readonly submission: JobSubmission,
    private readonly waiters: JobWaiters,
    private readonly queries: QueryBus,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async execute({ input }: RunInferenceCommand): Promise<JobOutcome> {
    const jobId = this.context.newId();
    const wait = this.waiters.expect(jobId);
    try {
      const submitted = await this.submission.submit(input, jobId);
      if (!submitted.duplicate) return await this.bounded(wait.outcome, jobId, input.timeout_ms);
      wait.dispose();
      return await this.outcomeOf(submitted.job_id, input.timeout_ms);
    } finally {
      wait.dispose();
    }
  }

  /** The outcome of an earlier job with the same request id: its result if it ended, else wait for it. */
  private async outcomeOf(jobId: string, timeoutMs: number | undefined): Promise<JobOutcome> {
    const wait = this.waiters.expect(jobId);
    try {
      const job = await this.queries.execute(new GetJobQuery(jobId));
      if (!TERMINAL_STATUSES.includes(job.status)) return await this.bounded(wait.outcome, jobId, timeoutMs);
      if (job.status === 'failed') throw jobError(jobId, job.error_code ?? 'INFERENCE_FAILED', job.error_message ?? 'failed');
      if (job.status === 'cancelled') throw jobError(jobId, 'JOB_CANCELLED', `job ${jobId} was cancelled`);
      const result = await this.queries.execute(new GetJobResultQuery(jobId));
      return { job_id: jobId, outputs: result.outputs as JobOutcome['outputs'], processing_time_ms: result.processing_time_ms ?? 0 };
    } finally {
      wait.dispose();
    }
  }

  private bounded(outcome: Promise<JobOutcome>, jobId: string, timeoutMs: number | undefined): Promise<JobOutcome> {
    const longest = timeoutMs ?? Math.max(...Object.values(this.options.defaultTimeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InferenceTimeoutError(jobId)), longest + SAFETY_MARGIN_MS);
      timer.unref();
    });
    return Promise.race([outcome, giveUp]).finally(() => clearTimeout(timer));
  }
}
