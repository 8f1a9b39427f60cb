import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CrashLoopBreaker } from '../../crash-loop-breaker.js';
import { LoadModelCommand } from './load-model.command.js';
import { LoadModelWorkflow } from './load-model.workflow.js';

@CommandHandler(LoadModelCommand)
export class LoadModelHandler implements ICommandHandler<LoadModelCommand> {
  constructor(
    private readonly workflow: LoadModelWorkflow,
    private readonly breaker: CrashLoopBreaker,
  ) {}

  async execute({ modelId, version, trigger }: LoadModelCommand) {
    if (trigger === 'explicit') this.breaker.reset(modelId);
    else this.breaker.assertAutomaticLoadAllowed(modelId);
    return this.workflow.load(modelId, version);
  }
}
