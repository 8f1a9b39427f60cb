import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { ModelDetailsContributor, type ModelDetailsPart } from '../../../registry/contracts.js';
import { isRunning } from '../../domain/model-state.js';
import { ModelWorkers } from '../../infrastructure/workers/model-workers.js';
import { ManagedModels } from '../managed-models.js';

/**
 * Read side of the lifecycle: GET /status, /health/models and the lifecycle part of a
 * model's details, from the committed models and snapshots of their workers.
 */
@Injectable()
@ModelDetailsContributor()
export class LifecycleStatus implements ModelDetailsPart {
  constructor(
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async contribute(modelId: string) {
    return { lifecycle: this.entry(modelId), io: this.models.get(modelId)?.io ?? null };
  }

  status() {
    const models = Object.entries(this.models.all())
      .filter(([, m]) => m.state !== 'unloaded')
      .map(([id]) => this.entry(id));
    const used = models.reduce((sum, m) => sum + (m.memory_mb ?? 0), 0);
    const running = models.filter((m) => isRunning(m.state)).length;
    return {
      models,
      totals: {
        models_loaded: running,
        max_models: this.options.maxModels,
        memory_mb: Math.round(used * 10) / 10,
        max_memory_mb: this.options.maxMemoryMb,
        server_rss_mb: Math.round(process.memoryUsage().rss / 1048576),
      },
    };
  }

  health() {
    const models = this.status().models.map((m) => ({ model_id: m.model_id, state: m.state, healthy: m.state === 'loaded', error: m.last_error }));
    return { healthy: models.every((m) => m.healthy || m.state === 'loading' || m.state === 'failed'), models };
  }

  private entry(modelId: string) {
    const m = this.models.get(modelId);
    const w = this.workers.snapshot(modelId);
    return {
      model_id: modelId,
      state: m?.state ?? 'unloaded',
      version: m?.version ?? null,
      pid: w?.pid ?? m?.process_id ?? null,
      memory_mb: w ? Math.round(w.memoryMb * 10) / 10 : (m?.memory_mb ?? null),
      loaded_at: m?.loaded_at ?? null,
      last_used_at: w ? new Date(w.lastUsedMs).toISOString() : null,
      uptime_seconds: w ? Math.round((Date.now() - w.startedAtMs) / 1000) : 0,
      inflight: w?.inflight ?? 0,
      last_error: m?.last_error ?? null,
    };
  }
}
