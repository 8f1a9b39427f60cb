import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelLifecycleService } from '../../model-lifecycle.service.js';
import { LoadModelCommand } from './load-model.command.js';

@CommandHandler(LoadModelCommand)
export class LoadModelHandler implements ICommandHandler<LoadModelCommand> {
  constructor(private readonly lifecycle: ModelLifecycleService) {}

  execute({ modelId, version }: LoadModelCommand) {
    return this.lifecycle.load(modelId, version);
  }
}
