import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HealthMonitor } from '../../health-monitor.js';
import { CheckHealthCommand } from './check-health.command.js';

@CommandHandler(CheckHealthCommand)
export class CheckHealthHandler implements ICommandHandler<CheckHealthCommand> {
  constructor(private readonly monitor: HealthMonitor) {}

  execute(): Promise<void> {
    return this.monitor.tick(true);
  }
}
