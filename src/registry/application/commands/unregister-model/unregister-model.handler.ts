import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelCatalogRepository } from '../../model-catalog.repository.js';
import { UnregisterModelCommand } from './unregister-model.command.js';

@CommandHandler(UnregisterModelCommand)
export class UnregisterModelHandler implements ICommandHandler<UnregisterModelCommand> {
  constructor(private readonly catalogs: ModelCatalogRepository) {}

  async execute({ modelId }: UnregisterModelCommand): Promise<void> {
    await this.catalogs.execute((catalog, ctx) => catalog.unregister(modelId, ctx));
  }
}
