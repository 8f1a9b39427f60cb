import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelCatalogRepository } from '../../model-catalog.repository.js';
import { UpdateModelCommand } from './update-model.command.js';

@CommandHandler(UpdateModelCommand)
export class UpdateModelHandler implements ICommandHandler<UpdateModelCommand> {
  constructor(private readonly catalogs: ModelCatalogRepository) {}

  async execute({ input }: UpdateModelCommand): Promise<void> {
    await this.catalogs.execute((catalog, ctx) => catalog.update(input, ctx));
  }
}
