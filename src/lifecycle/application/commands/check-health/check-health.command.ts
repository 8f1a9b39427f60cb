import { Command } from '@nestjs/cqrs';

/** Run one round of health checks now (the monitor also runs them on an interval). */
export class CheckHealthCommand extends Command<void> {}
