import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ModelCatalogRepository } from '../../model-catalog.repository.js';
import { RegisterModelCommand } from './register-model.command.js';

@CommandHandler(RegisterModelCommand)
export class RegisterModelHandler implements ICommandHandler<RegisterModelCommand> {
  constructor(private readonly catalogs: ModelCatalogRepository) {}

  async execute({ input }: RegisterModelCommand) {
    const [stored] = await this.catalogs.execute((catalog, ctx) => catalog.register(input, ctx));
    return { model_id: input.model_id, version: String(stored!.event.payload.version) };
  }
}
