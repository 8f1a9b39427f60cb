import { Command } from '@nestjs/cqrs';
import type { UnloadReason } from '../../../domain/model-lifecycle.events.js';

/** Stop a model's worker (graceful, then SIGKILL) and record why. */
export class UnloadModelCommand extends Command<void> {
  constructor(
    readonly modelId: string,
    readonly reason: UnloadReason = 'manual',
  ) {
    super();
  }
}
