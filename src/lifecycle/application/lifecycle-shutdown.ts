import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthMonitor } from './health-monitor.js';
import { ModelUnloader } from './model-unloader.js';

/**
 * SIGTERM unloads every model with reason `shutdown`, in the destroy phase: Nest destroys the global
 * CQRS module last, so the `model.unloaded` facts still reach handlers and sagas, and the database is open.
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
