import { Command } from '@nestjs/cqrs';
import type { ManagedModel } from '../../../domain/model-lifecycle.state.js';

/**
 * Load a model (its latest version unless one is named) into its own worker process.
 * `explicit` (an operator's request) also closes the model's crash-loop breaker; a
 * `recovery` load (the reload saga) is refused while it is open.
 */
export class LoadModelCommand extends Command<ManagedModel> {
  constructor(
    readonly modelId: string,
    readonly version?: string,
    readonly trigger: 'explicit' | 'recovery' = 'explicit',
  ) {
    super();
  }
}
