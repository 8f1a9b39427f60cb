import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthMonitor } from './health-monitor.js';
import { ModelUnloader } from './model-unloader.js';

/**
 * SIGTERM unloads every model with reason `shutdown`. In the destroy phase, not
 * `beforeApplicationShutdown`: Nest destroys modules from the root down and the global CQRS
 * module comes last, so the `model.unloaded` facts still reach the handlers and sagas, and the
 * database is still open.
 */
@Injectable()
export class LifecycleShutdown implements OnModuleDestroy {
  constructor(
    private readonly monitor: HealthMonitor,
    private readonly unloader: ModelUnloader,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.monitor.stop();
    await this.unloader.unloadAll('shutdown');
  }
}
