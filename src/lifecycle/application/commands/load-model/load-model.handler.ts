import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import type { ModelMoraOptions } from '../../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../../shared/nest/tokens.js';
import { GetModelQuery, VersionNotFoundError, type ModelView } from '../../../../registry/contracts.js';
import type { CrashLoopPolicy } from '../../../domain/crash-loop.js';
import { planEviction } from '../../../domain/eviction.js';
import { LoadFailedError } from '../../../domain/model-lifecycle.errors.js';
import type { LoadTrigger } from '../../../domain/model-lifecycle.events.js';
import { loadNeeded } from '../../../domain/model-lifecycle.rules.js';
import { unknownModel, type ManagedModel } from '../../../domain/model-lifecycle.state.js';
import { isRunning } from '../../../domain/model-state.js';
import { ModelFileCache } from '../../../infrastructure/model-files/index.js';
import { ModelWorkers } from '../../../infrastructure/workers/model-workers.js';
import { runtimeOptionsFor } from '../../../infrastructure/workers/runtime-options.js';
import { LifecycleCommandRunner } from '../../lifecycle-command-runner.js';
import { crashLoopPolicy } from '../../lifecycle-policies.js';
import { LoadProgressBoard } from '../../load-progress/load-progress.board.js';
import { LoadsInFlight } from '../../loads-in-flight.js';
import { ManagedModels } from '../../managed-models.js';
import { ModelUnloader } from '../../model-unloader.js';
import { LoadModelCommand } from './load-model.command.js';

type Version = ModelView['versions'][number];

/**
 * Resolve the version → is a load needed (crash loop included) → plan room → record the start → files
 * → evict LRU victims → spawn the worker → measure it → record it loaded; a failure stops the worker and
 * is recorded. Concurrent loads of one model share one run.
 */
@CommandHandler(LoadModelCommand)
export class LoadModelHandler implements ICommandHandler<LoadModelCommand> {
  private readonly logger = new Logger('Lifecycle');
  private readonly crashLoop: CrashLoopPolicy;

  constructor(
    private readonly queries: QueryBus,
    private readonly runner: LifecycleCommandRunner,
    private readonly models: ManagedModels,
    private readonly workers: ModelWorkers,
    private readonly files: ModelFileCache,
    private readonly unloader: ModelUnloader,
    private readonly inFlight: LoadsInFlight,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
    @Optional() private readonly progress?: LoadProgressBoard,
  ) {
    this.crashLoop = crashLoopPolicy(options);
  }

  execute({ modelId, version, trigger }: LoadModelCommand): Promise<ManagedModel> {
    return this.inFlight.join(modelId, () => this.run(modelId, version, trigger));
  }

  private async run(modelId: string, requested: string | undefined, trigger: LoadTrigger): Promise<ManagedModel> {
    const { model, version } = await this.resolveVersion(modelId, requested);
    const current = this.models.get(modelId) ?? unknownModel();
    if (!loadNeeded(modelId, current, version.version, trigger, this.crashLoop) && this.workers.has(modelId)) return current;
    if (isRunning(current.state)) await this.unloader.unloadNow(modelId, 'manual'); // another version runs, or its worker is gone

    const needMb = Number(model.resource_requirements.memory_mb ?? current.last_rss_mb ?? 0);
    this.planRoom(modelId, needMb); // refuses a model that cannot fit alone, before anything is recorded
    const request = { modelId, version: version.version, trigger };
    if ((await this.runner.run((mgr, ctx) => mgr.startLoad(request, this.crashLoop, ctx))).length === 0) return this.models.get(modelId)!;
    const started = Date.now();
    try {
      // Files first: a checksum mismatch must cost no eviction and no process.
      const dir = await this.materialize(modelId, version);
      for (const victim of this.planRoom(modelId, needMb)) await this.unloader.unload(victim, 'lru_eviction');
      const { pid, metadata } = await this.workers.spawn(modelId, {
        modelDir: dir,
        taskType: model.task_type,
        runtimeOptions: runtimeOptionsFor(model, this.options),
      });
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
    const onProgress = this.progress?.reporter(modelId, version);
    return (await this.files.materialize({ modelId, version, sourceUrl: source_url, checksum: checksum ?? undefined, onProgress })).dir;
  }

  /** Stops whatever worker the load started and records the failure; returns the error the caller sees. */
  private async recordFailure(modelId: string, err: unknown): Promise<DomainError> {
    await this.workers.stop(modelId, 1_000).catch(() => undefined);
    const failure = asLoadError(modelId, err, (text) => this.files.withoutCachePaths(text));
    await this.runner.run((mgr, ctx) => mgr.loadFailed(modelId, { code: failure.code, message: failure.message }, ctx))
      .catch((e) => this.logger.error(`recording failed load of ${modelId}: ${e}`));
    return failure;
  }
}

const KEPT_CODES = new Set(['INVALID_CHECKSUM', 'LOAD_FAILED', 'SOURCE_NOT_ALLOWED', 'SOURCE_NOT_FOUND', 'SOURCE_REQUIRED']);

/** The caller's mistakes (checksum, source) keep their own codes; anything else is LOAD_FAILED. No cache path is shown. */
function asLoadError(modelId: string, err: unknown, shown: (text: string) => string): DomainError {
  const code = (err as { code?: unknown })?.code;
  const message = shown(err instanceof Error ? err.message : String(err));
  if (err instanceof DomainError && KEPT_CODES.has(err.code)) return message === err.message ? err : new DomainError(err.code, message, err.details);
  if (code === 'INVALID_CHECKSUM') return new DomainError('INVALID_CHECKSUM', message, { model_id: modelId });
  return new LoadFailedError(modelId, message);
}
