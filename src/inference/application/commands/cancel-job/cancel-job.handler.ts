import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { CannotCancelError } from '../../../domain/inference-queue.errors.js';
import { JobDispatch } from '../../ports/job-dispatch.port.js';
import { GetJobQuery } from '../../queries/get-job/get-job.query.js';
import { TERMINAL_STATUSES } from '../../queries/job.view.js';
import { CancelJobCommand } from './cancel-job.command.js';

@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(
    private readonly dispatch: JobDispatch,
    private readonly queries: QueryBus,
  ) {}

  async execute({ jobId }: CancelJobCommand) {
    // The job's view tells unknown (404) and ended (409) jobs apart; the queue decides for live ones.
    const job = await this.queries.execute(new GetJobQuery(jobId));
    if (TERMINAL_STATUSES.includes(job.status)) throw new CannotCancelError(jobId, job.status);
    await this.dispatch.cancel(jobId);
    return this.queries.execute(new GetJobQuery(jobId));
  }
}
