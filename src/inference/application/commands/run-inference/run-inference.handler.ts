import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { databaseOutage } from '../../../../shared/database/database-unavailable.js';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { jobError } from '../../../domain/inference-queue.errors.js';
import { JobDispatch } from '../../ports/job-dispatch.port.js';
import { JobOutcomes, type JobOutcome } from '../../ports/job-outcomes.port.js';
import { KnownModels } from '../../ports/known-models.port.js';
import { LiveQueue } from '../../ports/live-queue.port.js';
import { FindJobByRequestQuery } from '../../queries/find-job-by-request/find-job-by-request.query.js';
import { GetJobResultQuery } from '../../queries/get-job-result/get-job-result.query.js';
import { GetJobQuery } from '../../queries/get-job/get-job.query.js';
import { RunInferenceCommand } from './run-inference.command.js';

const unavailable = (why: string) => new DomainError('SERVICE_UNAVAILABLE', why);

/** The sync path: intake (the model, an earlier job of the request id) → decide (admit) → dispatch, whose promise is the answer; the job's facts are recorded write-behind. */
@CommandHandler(RunInferenceCommand)
export class RunInferenceHandler implements ICommandHandler<RunInferenceCommand> {
  constructor(
    private readonly queue: LiveQueue,
    private readonly models: KnownModels,
    private readonly dispatch: JobDispatch,
    private readonly outcomes: JobOutcomes,
    private readonly queries: QueryBus,
  ) {}

  async execute({ input }: RunInferenceCommand): Promise<JobOutcome> {
    const model = await this.models.get(input.model_id);
    const earlier = await this.earlier(model.model_id, input.request_id);
    if (earlier) return this.answer(earlier);
    const { value, recorded } = this.queue.admit(input, model, false);
    if ('duplicate' in value) return this.answer(value.duplicate.job_id);
    return this.dispatch.run(value.submitted, input.inputs, recorded, model);
  }

  /** The job a request id already names; without the database a sync caller is served afresh (an ended duplicate runs again). */
  private async earlier(modelId: string, requestId: string | undefined): Promise<string | undefined> {
    if (!requestId) return undefined;
    try {
      return (await this.queries.execute(new FindJobByRequestQuery(modelId, requestId)))?.job_id;
    } catch (err) {
      if (databaseOutage(err)) return undefined;
      throw err;
    }
  }

  /** A job's outcome: waited for while it is live here (bounded by its deadline), else read from its record. */
  private async answer(jobId: string): Promise<JobOutcome> {
    const live = this.outcomes.outcome(jobId);
    if (live) return live;
    const job = await this.queries.execute(new GetJobQuery(jobId));
    if (job.status === 'failed') throw jobError(jobId, job.error_code ?? 'INFERENCE_FAILED', job.error_message ?? 'failed');
    if (job.status === 'cancelled') throw jobError(jobId, 'JOB_CANCELLED', `job ${jobId} was cancelled`);
    if (job.status !== 'completed') throw unavailable(`job ${jobId} of this request id runs on another instance; poll GET /api/v1/jobs/${jobId}`);
    const result = await this.queries.execute(new GetJobResultQuery(jobId));
    return { job_id: jobId, outputs: result.outputs as JobOutcome['outputs'], processing_time_ms: result.processing_time_ms ?? 0 };
  }
}
