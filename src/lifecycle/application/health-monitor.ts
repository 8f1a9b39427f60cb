import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { planOverBudget } from '../domain/eviction.js';
import { isRunning } from '../domain/model-state.js';
import { ModelWorkers } from '../infrastructure/workers/model-workers.js';
import { RecordCrashCommand } from './commands/record-crash/record-crash.command.js';
import { LifecycleCommandRunner } from './lifecycle-command-runner.js';
import { LoadsInFlight } from './loads-in-flight.js';
import { ManagedModels } from './managed-models.js';
import { ModelUnloader } from './model-unloader.js';

/**
 * Watches the workers: a ping with a deadline (N misses → unhealthy, an answer again →
 * loaded), RSS sampling against the memory budget (over → LRU eviction), and state the
 * log claims but no process backs (→ crashed). Started and stopped by LifecycleStartup/-Shutdown.
 */
@Injectable()
export class HealthMonitor {
  private readonly logger = new Logger('HealthMonitor');
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private lastPingMs = 0;

  constructor(
    private readonly runner: LifecycleCommandRunner,
    private readonly commands: CommandBus,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly inFlight: LoadsInFlight,
    private readonly unloader: ModelUnloader,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), Math.min(this.options.healthCheckIntervalMs, this.options.memorySampleIntervalMs));
    this.timer.unref();
  }

  /** No round starts from now on; resolves once the round under way (which could evict or mark a model) ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
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
      if (isRunning(m.state) && !this.workers.has(id) && !this.inFlight.busy(id)) {
        await this.commands.execute(new RecordCrashCommand(id, 'worker process no longer exists'));
      }
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
