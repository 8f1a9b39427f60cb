import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatalogCommandRunner } from '../../catalog-command-runner.js';
import { RegisterModelCommand } from './register-model.command.js';

@CommandHandler(RegisterModelCommand)
export class RegisterModelHandler implements ICommandHandler<RegisterModelCommand> {
  constructor(private readonly runner: CatalogCommandRunner) {}

  async execute({ input }: RegisterModelCommand) {
    const [registered] = await this.runner.run((catalog, ctx) => catalog.register(input, ctx));
    return { model_id: input.model_id, version: registered!.payload.version };
  }
}
