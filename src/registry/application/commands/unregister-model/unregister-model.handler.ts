import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatalogCommandRunner } from '../../catalog-command-runner.js';
import { UnregisterModelCommand } from './unregister-model.command.js';

@CommandHandler(UnregisterModelCommand)
export class UnregisterModelHandler implements ICommandHandler<UnregisterModelCommand> {
  constructor(private readonly runner: CatalogCommandRunner) {}

  async execute({ modelId }: UnregisterModelCommand): Promise<void> {
    await this.runner.run((catalog, ctx) => catalog.unregister(modelId, ctx));
  }
}
