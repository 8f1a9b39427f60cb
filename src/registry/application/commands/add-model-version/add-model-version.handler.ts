import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelCatalogRepository } from '../../model-catalog.repository.js';
import { AddModelVersionCommand } from './add-model-version.command.js';

@CommandHandler(AddModelVersionCommand)
export class AddModelVersionHandler implements ICommandHandler<AddModelVersionCommand> {
  constructor(private readonly catalogs: ModelCatalogRepository) {}

  async execute({ input }: AddModelVersionCommand) {
    await this.catalogs.execute((catalog, ctx) => catalog.addVersion(input, ctx));
    return { model_id: input.model_id, version: input.version };
  }
}
