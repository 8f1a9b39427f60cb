import { Command } from '@nestjs/cqrs';
import type { LifecycleEvent } from '../../../domain/model-lifecycle.events.js';
import type { RecoveryCause } from '../../../domain/recovery.js';

/** A model failed (`cause`, told by `event`): plan its recovery from the recorded facts and schedule it after its back-off. */
export class RecoverModelCommand extends Command<void> {
  constructor(
    readonly cause: RecoveryCause,
    readonly event: LifecycleEvent,
  ) {
    super();
  }
}
