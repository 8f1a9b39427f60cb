import { Command } from '@nestjs/cqrs';
import type { UpdateModelInput } from '../../../domain/model-catalog.decide.js';

export class UpdateModelCommand extends Command<void> {
  constructor(readonly input: UpdateModelInput) {
    super();
  }
}
