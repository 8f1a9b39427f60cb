import { Command } from '@nestjs/cqrs';

/** Replace a hung model's worker if it still hangs: unloaded as `crashed`, which the recovery reloads. */
export class ReplaceWorkerCommand extends Command<void> {
  constructor(readonly modelId: string) {
    super();
  }
}
