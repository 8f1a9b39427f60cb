import { Command } from '@nestjs/cqrs';

/** A model's worker went by itself (an exit nobody asked for, or no process left): record it failed, then unloaded (crashed). */
export class RecordCrashCommand extends Command<void> {
  constructor(
    readonly modelId: string,
    readonly reason: string,
  ) {
    super();
  }
}
