import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelLifecycleService } from '../../model-lifecycle.service.js';
import { UnloadModelCommand } from './unload-model.command.js';

@CommandHandler(UnloadModelCommand)
export class UnloadModelHandler implements ICommandHandler<UnloadModelCommand> {
  constructor(private readonly lifecycle: ModelLifecycleService) {}

  execute({ modelId, reason }: UnloadModelCommand) {
    return this.lifecycle.unload(modelId, reason);
  }
}
