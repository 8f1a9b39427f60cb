import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LifecycleCommandRunner } from '../../lifecycle-command-runner.js';
import { RecordCrashCommand } from './record-crash.command.js';

@CommandHandler(RecordCrashCommand)
export class RecordCrashHandler implements ICommandHandler<RecordCrashCommand> {
  private readonly logger = new Logger('Lifecycle');

  constructor(private readonly runner: LifecycleCommandRunner) {}

  async execute({ modelId, reason }: RecordCrashCommand): Promise<void> {
    this.logger.warn({ msg: 'worker crashed', model_id: modelId, error: reason });
    await this.runner.run((mgr, ctx) => mgr.crashed(modelId, reason, ctx));
  }
}
