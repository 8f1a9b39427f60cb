import { Command } from '@nestjs/cqrs';

/** Run one throw-away inference so the first real request does not pay for lazy init. */
export class WarmupModelCommand extends Command<{ model_id: string; warmup_ms: number }> {
  constructor(readonly modelId: string) {
    super();
  }
}
