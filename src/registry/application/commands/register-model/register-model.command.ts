import { Command } from '@nestjs/cqrs';
import type { RegisterModelInput } from '../../../domain/model-catalog.decide.js';

export class RegisterModelCommand extends Command<{ model_id: string; version: string }> {
  constructor(readonly input: RegisterModelInput) {
    super();
  }
}
