import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobIntake } from '../../intake/job-intake.js';
import { SubmitJobCommand } from './submit-job.command.js';

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(private readonly intake: JobIntake) {}

  execute({ input }: SubmitJobCommand) {
    return this.intake.submit(input);
  }
}
