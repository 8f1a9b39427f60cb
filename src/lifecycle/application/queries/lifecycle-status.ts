import { Inject, Injectable } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { ModelDetailsContributor, type ModelDetailsPart } from '../../../registry/contracts.js';
import { uptimeSeconds } from '../../domain/model-lifecycle.rules.js';
import { isRunning } from '../../domain/model-state.js';
import { ModelWorkers } from '../../infrastructure/workers/model-workers.js';
import { ManagedModels } from '../managed-models.js';
import type { ModelIo } from '../ports/model-serving.port.js';

/** One model as GET /status, /health/models and a model's details show it. */
export type ModelStatusEntry = ReturnType<LifecycleStatus['entry']>;

/** The lifecycle's part of GET /api/v1/models/{id}: the model's status and its recorded inputs and outputs. */
export interface LifecycleDetails {
  lifecycle: ModelStatusEntry;
  io: ModelIo | null;
}

/**
 * Read side of the lifecycle: GET /status, /health/models and the lifecycle part of a
 * model's details, from the committed models and snapshots of their workers.
 */
@Injectable()
@ModelDetailsContributor()
export class LifecycleStatus implements ModelDetailsPart<LifecycleDetails> {
  constructor(
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  detailsOf(modelId: string): LifecycleDetails {
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

  entry(modelId: string) {
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
      uptime_seconds: w && m ? uptimeSeconds(m, Date.now()) : 0,
      inflight: w?.inflight ?? 0,
      last_error: m?.last_error ?? null,
    };
  }
}
