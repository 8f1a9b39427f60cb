import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { CannotCancelError } from '../../../domain/inference-queue.errors.js';
import { QueueWriter } from '../../queue-writer.js';
import { GetJobQuery } from '../../queries/get-job/get-job.query.js';
import { TERMINAL_STATUSES } from '../../queries/job.view.js';
import { CancelJobCommand } from './cancel-job.command.js';

@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(
    private readonly writer: QueueWriter,
    private readonly queries: QueryBus,
  ) {}

  async execute({ jobId }: CancelJobCommand) {
    // The read model tells unknown (404) and ended (409) jobs apart; the queue decides for live ones.
    const job = await this.queries.execute(new GetJobQuery(jobId));
    if (TERMINAL_STATUSES.includes(job.status)) throw new CannotCancelError(jobId, job.status);
    await this.writer.execute((queue, ctx) => queue.cancel(jobId, ctx));
    return this.queries.execute(new GetJobQuery(jobId));
  }
}
