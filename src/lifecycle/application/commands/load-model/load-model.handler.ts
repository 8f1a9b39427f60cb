import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LoadModelCommand } from './load-model.command.js';
import { LoadModelWorkflow } from './load-model.workflow.js';

@CommandHandler(LoadModelCommand)
export class LoadModelHandler implements ICommandHandler<LoadModelCommand> {
  constructor(private readonly workflow: LoadModelWorkflow) {}

  execute({ modelId, version, trigger }: LoadModelCommand) {
    return this.workflow.load(modelId, version, trigger);
  }
}
