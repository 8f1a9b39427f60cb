import { Command } from '@nestjs/cqrs';
import type { ManagedModel } from '../../../domain/model-lifecycle.state.js';

/** Load a model (its latest version unless one is named) into its own worker process. */
export class LoadModelCommand extends Command<ManagedModel> {
  constructor(
    readonly modelId: string,
    readonly version?: string,
  ) {
    super();
  }
}
