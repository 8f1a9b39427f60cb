import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatalogCommandRunner } from '../../catalog-command-runner.js';
import { AddModelVersionCommand } from './add-model-version.command.js';

@CommandHandler(AddModelVersionCommand)
export class AddModelVersionHandler implements ICommandHandler<AddModelVersionCommand> {
  constructor(private readonly runner: CatalogCommandRunner) {}

  async execute({ input }: AddModelVersionCommand) {
    await this.runner.run((catalog, ctx) => catalog.addVersion(input, ctx));
    return { model_id: input.model_id, version: input.version };
  }
}
