import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { planOverBudget } from '../domain/eviction.js';
import { isRunning } from '../domain/model-state.js';
import { ModelLifecycleService } from './model-lifecycle.service.js';

/**
 * Watches the workers: a ping with a deadline (N misses → unhealthy, an answer again →
 * loaded), RSS sampling against the memory budget (over → LRU eviction), and state the
 * log claims but no process backs (→ crashed). Also owns start-up reconciliation and
 * shutdown (SIGTERM unloads every model with reason `shutdown`).
 */
@Injectable()
export class HealthMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HealthMonitor');
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private lastPingMs = 0;

  constructor(
    private readonly lifecycle: ModelLifecycleService,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.lifecycle.reconcile();
    this.timer = setInterval(() => void this.tick(), Math.min(this.options.healthCheckIntervalMs, this.options.memorySampleIntervalMs));
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.lifecycle.unloadAll('shutdown');
  }

  /** One round of checks; rounds never overlap. `pingNow` pings even if the last pings are recent. */
  async tick(pingNow = false): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
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
    } finally {
      this.ticking = false;
    }
  }

  private async checkProcesses(): Promise<void> {
    for (const [id, m] of Object.entries(this.lifecycle.models())) {
      if (isRunning(m.state) && !this.lifecycle.pool.has(id) && !this.lifecycle.isChanging(id)) await this.lifecycle.recordCrash(id, 'worker process no longer exists');
    }
  }

  private async pingAll(): Promise<void> {
    await Promise.all(this.lifecycle.pool.all().map(async (entry) => {
      const state = this.lifecycle.model(entry.modelId)?.state;
      // A worker busy with inference answers pings late: only an idle worker's silence counts.
      if (!state || !isRunning(state) || entry.inflight > 0) return;
      try {
        const { rss_mb } = await entry.worker.ping({ deadlineMs: this.options.healthCheckTimeoutMs });
        entry.missedPings = 0;
        entry.rssMb = rss_mb;
        if (state === 'unhealthy') await this.lifecycle.setHealth(entry.modelId, 'loaded', null);
      } catch {
        entry.missedPings += 1;
        if (entry.missedPings >= this.options.healthCheckMaxMisses && state === 'loaded' && this.lifecycle.pool.has(entry.modelId)) {
          await this.lifecycle.setHealth(entry.modelId, 'unhealthy', 'Health check timeout');
        }
      }
    }));
  }

  private async enforceBudget(): Promise<void> {
    const running = this.lifecycle.pool.all().map((w) => ({ modelId: w.modelId, memoryMb: w.rssMb, lastUsedMs: w.lastUsedMs }));
    for (const victim of planOverBudget(running, { maxMemoryMb: this.options.maxMemoryMb, maxModels: this.options.maxModels })) {
      this.logger.warn({ msg: 'memory budget exceeded: evicting', model_id: victim, budget_mb: this.options.maxMemoryMb });
      await this.lifecycle.unload(victim, 'lru_eviction').catch((err) => this.logger.error(`evicting ${victim}: ${err}`));
    }
  }
}
