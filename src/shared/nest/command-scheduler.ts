import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus, type ICommand } from '@nestjs/cqrs';

/** Sends a command after a delay: the timer a saga must not hold. What is still pending at shutdown is dropped. */
@Injectable()
export class CommandScheduler implements OnModuleDestroy {
  private readonly logger = new Logger('CommandScheduler');
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly commands: CommandBus) {}

  schedule(command: ICommand, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      this.commands.execute(command).catch((err) => this.logger.warn(`${command.constructor.name} failed: ${err instanceof Error ? err.message : err}`));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
