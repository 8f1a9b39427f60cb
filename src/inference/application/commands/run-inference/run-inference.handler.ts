import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobIntake } from '../../intake/job-intake.js';
import { RunInferenceCommand } from './run-inference.command.js';

@CommandHandler(RunInferenceCommand)
export class RunInferenceHandler implements ICommandHandler<RunInferenceCommand> {
  constructor(private readonly intake: JobIntake) {}

  execute({ input }: RunInferenceCommand) {
    return this.intake.run(input);
  }
}
