import { Command } from '@nestjs/cqrs';

export class UnregisterModelCommand extends Command<void> {
  constructor(readonly modelId: string) {
    super();
  }
}
