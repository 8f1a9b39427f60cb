import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelUnloader } from '../../model-unloader.js';
import { UnloadModelCommand } from './unload-model.command.js';

@CommandHandler(UnloadModelCommand)
export class UnloadModelHandler implements ICommandHandler<UnloadModelCommand> {
  constructor(private readonly unloader: ModelUnloader) {}

  execute({ modelId, reason }: UnloadModelCommand) {
    return this.unloader.unload(modelId, reason);
  }
}
