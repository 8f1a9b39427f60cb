import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { planOverBudget } from '../domain/eviction.js';
import { isRunning } from '../domain/model-state.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import { LifecycleCommandRunner } from './lifecycle-command-runner.js';
import { ManagedModels } from './managed-models.js';
import { ModelChanges } from './model-changes.js';
import { ModelUnloader } from './model-unloader.js';

/**
 * Watches the workers: a ping with a deadline (N misses → unhealthy, an answer again →
 * loaded), RSS sampling against the memory budget (over → LRU eviction), and state the
 * log claims but no process backs (→ crashed). Also owns start-up reconciliation and
 * shutdown (SIGTERM unloads every model with reason `shutdown`).
 */
@Injectable()
export class HealthMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HealthMonitor');
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private lastPingMs = 0;

  constructor(
    private readonly runner: LifecycleCommandRunner,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly changes: ModelChanges,
    private readonly unloader: ModelUnloader,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  /** After a restart: what the log says is running but has no worker here is recorded as gone. */
  async onApplicationBootstrap(): Promise<void> {
    await this.runner.run((mgr, ctx) => mgr.reconcile((id) => this.workers.has(id), ctx));
    this.timer = setInterval(() => void this.tick(), Math.min(this.options.healthCheckIntervalMs, this.options.memorySampleIntervalMs));
    this.timer.unref();
  }

  /**
   * In the destroy phase, not `beforeApplicationShutdown`: Nest destroys modules from the
   * root down and the global CQRS module comes last, so this runs while the EventBus still
   * has its handlers and sagas. The `model.unloaded` facts of a shutdown then reach them (the
   * audit log, a host's handlers) like any other, and the database is still open. A reload
   * saga woken meanwhile finds loads refused (see ModelChanges.close).
   */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking; // a round under way could otherwise evict or mark a model beside the unloads
    await this.unloader.unloadAll('shutdown');
  }

  /** One round of checks; rounds never overlap. `pingNow` pings even if the last pings are recent. */
  async tick(pingNow = false): Promise<void> {
    if (this.ticking) return;
    this.ticking = this.round(pingNow).finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(pingNow: boolean): Promise<void> {
    try {
      await this.checkProcesses();
      // The timer runs at the faster of the two cadences; pings keep their own.
      if (pingNow || Date.now() - this.lastPingMs >= this.options.healthCheckIntervalMs) {
        this.lastPingMs = Date.now();
        await this.pingAll();
      }
      await this.enforceBudget();
    } catch (err) {
      this.logger.error(`health round failed: ${err}`);
    }
  }

  private async checkProcesses(): Promise<void> {
    for (const [id, m] of Object.entries(this.models.all())) {
      if (isRunning(m.state) && !this.workers.has(id) && !this.changes.isChanging(id)) await this.unloader.recordCrash(id, 'worker process no longer exists');
    }
  }

  private async pingAll(): Promise<void> {
    await Promise.all(this.workers.snapshots().map(async ({ modelId }) => {
      const state = this.models.get(modelId)?.state;
      if (!state || !isRunning(state)) return;
      // A worker busy with inference answers pings late: it is not pinged, only an idle worker's silence counts.
      const ping = await this.workers.ping(modelId, this.options.healthCheckTimeoutMs);
      if (ping.kind === 'answered' && state === 'unhealthy') await this.setHealth(modelId, 'loaded', null);
      if (ping.kind === 'missed' && ping.missedInARow >= this.options.healthCheckMaxMisses && state === 'loaded' && this.workers.has(modelId)) {
        await this.setHealth(modelId, 'unhealthy', 'Health check timeout');
      }
    }));
  }

  private async enforceBudget(): Promise<void> {
    for (const victim of planOverBudget(this.workers.snapshots(), { maxMemoryMb: this.options.maxMemoryMb, maxModels: this.options.maxModels })) {
      this.logger.warn({ msg: 'memory budget exceeded: evicting', model_id: victim, budget_mb: this.options.maxMemoryMb });
      await this.unloader.unload(victim, 'lru_eviction').catch((err) => this.logger.error(`evicting ${victim}: ${err}`));
    }
  }

  private async setHealth(modelId: string, next: 'loaded' | 'unhealthy', error: string | null): Promise<void> {
    await this.runner.run((mgr, ctx) => mgr.health(modelId, next, error, ctx));
  }
}
