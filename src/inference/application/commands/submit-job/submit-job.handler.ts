import { Inject } from '@nestjs/common';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { within } from '../../../../shared/async/within.js';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { MODELMORA_OPTIONS } from '../../../../shared/nest/tokens.js';
import { JobDispatch } from '../../ports/job-dispatch.port.js';
import { KnownModels } from '../../ports/known-models.port.js';
import { LiveQueue } from '../../ports/live-queue.port.js';
import { FindJobByRequestQuery } from '../../queries/find-job-by-request/find-job-by-request.query.js';
import { SubmitJobCommand, type SubmittedJob } from './submit-job.command.js';

const unavailable = (why: string) => new DomainError('SERVICE_UNAVAILABLE', why);

/** The async path: intake → decide (the inputs stored with job.submitted) → dispatch at once → answer once durable. */
@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(
    private readonly queue: LiveQueue,
    private readonly models: KnownModels,
    private readonly dispatch: JobDispatch,
    private readonly queries: QueryBus,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async execute({ input }: SubmitJobCommand): Promise<SubmittedJob> {
    // Refused before the idempotency look-up: without a database that look-up would only wait to fail.
    this.queue.refuseNewWork(true);
    const model = await this.models.get(input.model_id);
    const earlier = input.request_id ? await this.queries.execute(new FindJobByRequestQuery(model.model_id, input.request_id)) : null;
    if (earlier) return { ...earlier, duplicate: true };

    const { value, recorded } = this.queue.admit(input, model, true);
    if ('duplicate' in value) return { job_id: value.duplicate.job_id, status: value.duplicate.status, duplicate: true };

    this.dispatch.enqueue(value.submitted, input.inputs, recorded, model);
    await within(recorded, this.options.submitAckTimeoutMs, () => unavailable('the database did not acknowledge the job in time; resubmit with the same request_id'));
    return { job_id: value.submitted.payload.job_id, status: 'queued', duplicate: false };
  }
}
