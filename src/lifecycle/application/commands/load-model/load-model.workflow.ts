import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../../shared/nest/tokens.js';
import { GetModelQuery, VersionNotFoundError, type ModelView } from '../../../../registry/contracts.js';
import { planEviction } from '../../../domain/eviction.js';
import { LoadFailedError } from '../../../domain/model-lifecycle.errors.js';
import type { ManagedModel } from '../../../domain/model-lifecycle.state.js';
import { isRunning } from '../../../domain/model-state.js';
import { ModelFileCache } from '../../../infrastructure/model-files/index.js';
import { ModelWorkers } from '../../../infrastructure/workers/model-workers.js';
import { runtimeOptionsFor } from '../../../infrastructure/workers/runtime-options.js';
import { LifecycleCommandRunner } from '../../lifecycle-command-runner.js';
import { LoadProgressBoard } from '../../load-progress/load-progress.board.js';
import { ManagedModels } from '../../managed-models.js';
import { ModelChanges } from '../../model-changes.js';
import { ModelUnloader } from '../../model-unloader.js';

type Version = ModelView['versions'][number];

/**
 * Loading a model, step by step: resolve the version → plan room (refuse what cannot fit)
 * → record the start → materialise its files → evict LRU victims → spawn its worker →
 * measure it → record it loaded. A failure stops the worker and records the failed load.
 * Concurrent loads of one model share one run.
 */
@Injectable()
export class LoadModelWorkflow {
  private readonly logger = new Logger('Lifecycle');

  constructor(
    private readonly queries: QueryBus,
    private readonly runner: LifecycleCommandRunner,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly files: ModelFileCache,
    private readonly unloader: ModelUnloader,
    private readonly changes: ModelChanges,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
    @Optional() private readonly progress?: LoadProgressBoard,
  ) {}

  load(modelId: string, version?: string): Promise<ManagedModel> {
    return this.changes.load(modelId, () => this.run(modelId, version));
  }

  private async run(modelId: string, requested?: string): Promise<ManagedModel> {
    const { model, version } = await this.resolveVersion(modelId, requested);
    const current = this.models.get(modelId);
    if (current && isRunning(current.state) && current.version === version.version && this.workers.has(modelId)) return current;
    if (current && isRunning(current.state)) await this.unloader.unloadNow(modelId, 'manual'); // another version runs

    const needMb = Number(model.resource_requirements.memory_mb ?? current?.last_rss_mb ?? 0);
    this.planRoom(modelId, needMb); // refuses a model that cannot fit alone, before anything is recorded
    await this.runner.run((mgr, ctx) => mgr.startLoad(modelId, version.version, ctx));
    const started = Date.now();
    try {
      // Files first: a checksum mismatch must cost no eviction and no process.
      const dir = await this.materialize(modelId, version);
      for (const victim of this.planRoom(modelId, needMb)) await this.unloader.unload(victim, 'lru_eviction');
      const { pid, metadata } = await this.workers.spawn(modelId, {
        modelDir: dir,
        taskType: model.task_type,
        runtimeOptions: runtimeOptionsFor(model, this.options),
      }, (exit) => void this.unloader.recordCrash(modelId, exit));
      const rss = (await this.workers.measure(modelId)) ?? metadata.rss_mb;
      await this.runner.run((mgr, ctx) =>
        mgr.loaded({
          model_id: modelId, version: version.version, memory_mb: Math.round(rss * 10) / 10, process_id: pid,
          task_type: model.task_type, load_time_ms: Date.now() - started, inputs: metadata.inputs, outputs: metadata.outputs,
        }, ctx),
      );
      this.logger.log({ msg: 'model loaded', model_id: modelId, version: version.version, pid, memory_mb: rss, load_ms: Date.now() - started });
      return this.models.get(modelId)!;
    } catch (err) {
      throw await this.recordFailure(modelId, err);
    }
  }

  private async resolveVersion(modelId: string, requested?: string): Promise<{ model: ModelView; version: Version }> {
    const model = await this.queries.execute(new GetModelQuery(modelId));
    const wanted = requested ?? model.latest_version;
    const version = model.versions.find((v) => v.version === wanted);
    if (!version) throw new VersionNotFoundError(modelId, wanted);
    return { model, version };
  }

  /** LRU victims that make room for `needMb` more; throws INSUFFICIENT_MEMORY when the model cannot fit even alone. */
  private planRoom(modelId: string, needMb: number): string[] {
    return planEviction(modelId, needMb, this.workers.snapshots(), { maxMemoryMb: this.options.maxMemoryMb, maxModels: this.options.maxModels });
  }

  private async materialize(modelId: string, { version, source_url, checksum }: Version): Promise<string> {
    if (!source_url) throw new LoadFailedError(modelId, `version ${version} has no source_url to load files from`);
    const onProgress = this.progress?.reporter(modelId, version);
    return (await this.files.materialize({ modelId, version, sourceUrl: source_url, checksum: checksum ?? undefined, onProgress })).dir;
  }

  /** Stops whatever worker the load started and records the failure; returns the error the caller sees. */
  private async recordFailure(modelId: string, err: unknown): Promise<DomainError> {
    await this.workers.stop(modelId, 1_000).catch(() => undefined);
    const failure = asLoadError(modelId, err);
    await this.runner.run((mgr, ctx) => mgr.loadFailed(modelId, { code: failure.code, message: failure.message }, ctx))
      .catch((e) => this.logger.error(`recording failed load of ${modelId}: ${e}`));
    return failure;
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
