import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { needsReplacement } from '../../../domain/recovery.js';
import { ManagedModels } from '../../managed-models.js';
import { ModelUnloader } from '../../model-unloader.js';
import { ReplaceWorkerCommand } from './replace-worker.command.js';

@CommandHandler(ReplaceWorkerCommand)
export class ReplaceWorkerHandler implements ICommandHandler<ReplaceWorkerCommand> {
  constructor(
    private readonly models: ManagedModels,
    private readonly unloader: ModelUnloader,
  ) {}

  async execute({ modelId }: ReplaceWorkerCommand): Promise<void> {
    if (needsReplacement(this.models.get(modelId))) await this.unloader.unload(modelId, 'crashed');
  }
}
