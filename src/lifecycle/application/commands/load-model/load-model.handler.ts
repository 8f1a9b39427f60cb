import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CrashLoopBreaker } from '../../crash-loop-breaker.js';
import { ModelLifecycleService } from '../../model-lifecycle.service.js';
import { LoadModelCommand } from './load-model.command.js';

@CommandHandler(LoadModelCommand)
export class LoadModelHandler implements ICommandHandler<LoadModelCommand> {
  constructor(
    private readonly lifecycle: ModelLifecycleService,
    private readonly breaker: CrashLoopBreaker,
  ) {}

  async execute({ modelId, version, trigger }: LoadModelCommand) {
    if (trigger === 'explicit') this.breaker.reset(modelId);
    else this.breaker.assertAutomaticLoadAllowed(modelId);
    return this.lifecycle.load(modelId, version);
  }
}
