import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import { HealthMonitor } from './health-monitor.js';
import { LifecycleCommandRunner } from './lifecycle-command-runner.js';

/** After a (re)start: what the log says is running but has no worker here is recorded as gone, then the health checks begin. */
@Injectable()
export class LifecycleStartup implements OnApplicationBootstrap {
  constructor(
    private readonly runner: LifecycleCommandRunner,
    private readonly workers: ModelWorkers,
    private readonly monitor: HealthMonitor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.run((mgr, ctx) => mgr.reconcile((id) => this.workers.has(id), ctx));
    this.monitor.start();
  }
}
