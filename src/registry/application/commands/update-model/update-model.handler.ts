import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatalogCommandRunner } from '../../catalog-command-runner.js';
import { UpdateModelCommand } from './update-model.command.js';

@CommandHandler(UpdateModelCommand)
export class UpdateModelHandler implements ICommandHandler<UpdateModelCommand> {
  constructor(private readonly runner: CatalogCommandRunner) {}

  async execute({ input }: UpdateModelCommand): Promise<void> {
    await this.runner.run((catalog, ctx) => catalog.update(input, ctx));
  }
}
