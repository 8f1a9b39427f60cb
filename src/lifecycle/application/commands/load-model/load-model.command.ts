import { Command } from '@nestjs/cqrs';
import type { LoadTrigger } from '../../../domain/model-lifecycle.events.js';
import type { ManagedModel } from '../../../domain/model-lifecycle.state.js';

/**
 * Load a model (its latest version unless one is named) into its own worker process.
 * `explicit` (an operator's request) also closes the model's crash-loop breaker; `lazy`
 * (the serving port's door) and `recovery` (the reload after a failure) are refused while it is open.
 */
export class LoadModelCommand extends Command<ManagedModel> {
  constructor(
    readonly modelId: string,
    readonly version?: string,
    readonly trigger: LoadTrigger = 'explicit',
  ) {
    super();
  }
}
