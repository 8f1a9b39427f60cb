import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DomainError } from '../../shared/domain/domain-error.js';
import type { EventContext } from '../../shared/domain/event-envelope.js';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { GetModelQuery, VersionNotFoundError } from '../../registry/contracts.js';
import { planEviction } from '../domain/eviction.js';
import { LoadFailedError, ModelNotLoadedError } from '../domain/model-lifecycle.errors.js';
import type { UnloadReason } from '../domain/model-lifecycle.events.js';
import type { ManagedModel } from '../domain/model-lifecycle.state.js';
import { isRunning } from '../domain/model-state.js';
import { ModelFileCache, sourcePolicyFromOptions } from '../infrastructure/model-files/index.js';
import { WorkerPool } from '../infrastructure/worker-pool.js';
import type { WorkerExit } from '../infrastructure/workers/worker-errors.js';
import { LifecycleManagerRepository } from './lifecycle-manager.repository.js';
import type { ModelLifecycleManager } from './model-lifecycle-manager.aggregate.js';
import { LoadProgressBoard } from './load-progress/load-progress.board.js';

/**
 * Carries out the manager's decisions on real processes: load (files → checksum →
 * fork → ONNX session → measured RSS), unload, crash. Concurrent loads of one model
 * share one promise, so it is loaded once.
 */
@Injectable()
export class ModelLifecycleService {
  private readonly logger = new Logger('Lifecycle');
  private readonly loads = new Map<string, Promise<ManagedModel>>();
  /** Models whose worker this service is stopping right now: their exit is no crash. */
  private readonly stopping = new Set<string>();
  /** The manager's models as of the last committed step: synchronous reads for routing. */
  private mirror: Record<string, ManagedModel> = {};
  readonly pool: WorkerPool;
  readonly files: ModelFileCache;

  constructor(
    private readonly managers: LifecycleManagerRepository,
    private readonly queries: QueryBus,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
    @Optional() private readonly progress?: LoadProgressBoard,
  ) {
    this.pool = new WorkerPool((modelId, exit) => void this.recordCrash(modelId, exit));
    this.files = new ModelFileCache({ modelDir: options.modelDir, logger: new Logger('ModelFiles'), policy: sourcePolicyFromOptions(options) });
  }

  /** A load or an unload of this model is under way: its process and its state may disagree for a moment. */
  isChanging(modelId: string): boolean {
    return this.loads.has(modelId) || this.stopping.has(modelId);
  }

  model(modelId: string): ManagedModel | undefined {
    return this.mirror[modelId];
  }

  models(): Record<string, ManagedModel> {
    return this.mirror;
  }

  load(modelId: string, version?: string): Promise<ManagedModel> {
    const inFlight = this.loads.get(modelId);
    if (inFlight) return inFlight;
    const run = this.doLoad(modelId, version).finally(() => this.loads.delete(modelId));
    this.loads.set(modelId, run);
    return run;
  }

  async unload(modelId: string, reason: UnloadReason): Promise<void> {
    await this.loads.get(modelId)?.catch(() => undefined);
    return this.unloadNow(modelId, reason);
  }

  /** Without waiting for this model's load: a load that swaps versions calls it from inside that very load. */
  private async unloadNow(modelId: string, reason: UnloadReason): Promise<void> {
    const m = this.mirror[modelId];
    if (!m || (!isRunning(m.state) && m.state !== 'failed')) throw new ModelNotLoadedError(modelId);
    this.stopping.add(modelId);
    try {
      await this.pool.stop(modelId);
      await this.step((mgr, ctx) => mgr.unload(modelId, reason, ctx));
    } finally {
      this.stopping.delete(modelId);
    }
    this.logger.log({ msg: 'model unloaded', model_id: modelId, reason });
  }

  async recordCrash(modelId: string, exit: WorkerExit | string): Promise<void> {
    const why = typeof exit === 'string' ? exit : `worker exited unexpectedly (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`;
    this.logger.warn({ msg: 'worker crashed', model_id: modelId, error: why });
    await this.step((mgr, ctx) => mgr.crashed(modelId, why, ctx)).catch((err) => this.logger.error(`recording crash of ${modelId}: ${err}`));
  }

  async setHealth(modelId: string, next: 'loaded' | 'unhealthy', error: string | null): Promise<void> {
    await this.step((mgr, ctx) => mgr.health(modelId, next, error, ctx));
  }

  /** After a restart: what the log says is running but has no worker here is recorded as gone. */
  async reconcile(): Promise<void> {
    await this.step((mgr, ctx) => mgr.reconcile((id) => this.pool.has(id), ctx));
  }

  async unloadAll(reason: UnloadReason): Promise<void> {
    for (const [id, m] of Object.entries(this.mirror)) {
      if (isRunning(m.state)) await this.unload(id, reason).catch((err) => this.logger.error(`unloading ${id}: ${err}`));
    }
  }

  private async doLoad(modelId: string, requested?: string): Promise<ManagedModel> {
    const model = await this.queries.execute(new GetModelQuery(modelId));
    const version = requested ?? model.latest_version;
    const v = model.versions.find((x) => x.version === version);
    if (!v) throw new VersionNotFoundError(modelId, version);
    const current = this.mirror[modelId];
    if (current && isRunning(current.state) && current.version === version && this.pool.has(modelId)) return current;
    if (current && isRunning(current.state)) await this.unloadNow(modelId, 'manual');

    const need = Number(model.resource_requirements.memory_mb ?? current?.last_rss_mb ?? 0);
    this.planRoomFor(modelId, need); // refuses a model that cannot fit alone, before anything is recorded

    await this.step((mgr, ctx) => mgr.startLoad(modelId, version, ctx));
    const started = Date.now();
    try {
      if (!v.source_url) throw new LoadFailedError(modelId, `version ${version} has no source_url to load files from`);
      // Files first: a checksum mismatch must cost no eviction and no process.
      const { dir } = await this.files.materialize({ modelId, version, sourceUrl: v.source_url, checksum: v.checksum ?? undefined, onProgress: this.progress?.reporter(modelId, version) });
      for (const victim of this.planRoomFor(modelId, need)) await this.unload(victim, 'lru_eviction');
      const threads = Number(model.resource_requirements.cpu_threads ?? 1);
      const { entry, metadata } = await this.pool.spawn(modelId, dir, model.task_type, { intraOpNumThreads: threads, maxOutputBytes: this.options.maxOutputMb * 1024 * 1024 });
      const rss = await entry.worker.rssMb().catch(() => metadata.rss_mb);
      entry.rssMb = rss;
      await this.step((mgr, ctx) =>
        mgr.loaded({
          model_id: modelId, version, memory_mb: Math.round(rss * 10) / 10, process_id: entry.worker.pid!,
          task_type: model.task_type, load_time_ms: Date.now() - started, inputs: metadata.inputs, outputs: metadata.outputs,
        }, ctx),
      );
      this.logger.log({ msg: 'model loaded', model_id: modelId, version, pid: entry.worker.pid, memory_mb: rss, load_ms: Date.now() - started });
      return this.mirror[modelId]!;
    } catch (err) {
      await this.pool.stop(modelId, 1_000).catch(() => undefined);
      const failure = asLoadError(modelId, err);
      await this.step((mgr, ctx) => mgr.loadFailed(modelId, { code: failure.code, message: failure.message }, ctx))
        .catch((e) => this.logger.error(`recording failed load of ${modelId}: ${e}`));
      throw failure;
    }
  }

  private planRoomFor(modelId: string, needMb: number): string[] {
    const running = this.pool.all().map((w) => ({ modelId: w.modelId, memoryMb: w.rssMb, lastUsedMs: w.lastUsedMs }));
    return planEviction(modelId, needMb, running, { maxMemoryMb: this.options.maxMemoryMb, maxModels: this.options.maxModels });
  }

  /** One decision on the manager; the mirror moves only once it is committed. */
  private async step<T>(decide: (mgr: ModelLifecycleManager, ctx: EventContext) => T): Promise<T> {
    const { result, models } = await this.managers.execute((mgr, ctx) => ({ result: decide(mgr, ctx), models: mgr.models() }));
    this.mirror = models;
    return result;
  }
}

/** Checksum and source problems keep their own codes; anything else is LOAD_FAILED. */
function asLoadError(modelId: string, err: unknown): DomainError {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DomainError && (code === 'INVALID_CHECKSUM' || code === 'LOAD_FAILED')) return err;
  if (code === 'INVALID_CHECKSUM') return new DomainError('INVALID_CHECKSUM', message, { model_id: modelId });
  return new LoadFailedError(modelId, message);
}
