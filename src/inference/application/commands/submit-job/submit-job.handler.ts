import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventContextFactory } from '../../../../shared/nest/event-context.factory.js';
import { JobSubmission } from '../../job-submission.js';
import { SubmitJobCommand } from './submit-job.command.js';

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(
    private readonly submission: JobSubmission,
    private readonly context: EventContextFactory,
  ) {}

  execute({ input }: SubmitJobCommand) {
    return this.submission.submit(input, this.context.newId());
  }
}
