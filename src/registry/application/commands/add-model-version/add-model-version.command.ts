import { Command } from '@nestjs/cqrs';
import type { AddModelVersionInput } from '../../../domain/model-catalog.decide.js';

export class AddModelVersionCommand extends Command<{ model_id: string; version: string }> {
  constructor(readonly input: AddModelVersionInput) {
    super();
  }
}
