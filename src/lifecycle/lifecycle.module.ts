import { Module, type OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../shared/domain/event-type-registry.js';
import { ModelDetailsContributors } from '../registry/application/queries/model-details.handler.js';
import { RegistryModule } from '../registry/registry.module.js';
import { lifecycleEvents } from './domain/model-lifecycle.events.js';
import { LifecycleCommandRunner } from './application/lifecycle-command-runner.js';
import { ManagedModels } from './application/managed-models.js';
import { ModelChanges } from './application/model-changes.js';
import { ModelUnloader } from './application/model-unloader.js';
import { ModelWorkers } from './infrastructure/workers/model-workers.js';
import { modelFileCacheProvider } from './infrastructure/model-files/model-file-cache.provider.js';
import { ModelRuntimeAdapter } from './application/model-runtime.adapter.js';
import { MODEL_RUNTIME } from './application/ports/model-runtime.port.js';
import { HealthMonitor } from './application/health-monitor.js';
import { LoadModelHandler } from './application/commands/load-model/load-model.handler.js';
import { LoadModelWorkflow } from './application/commands/load-model/load-model.workflow.js';
import { UnloadModelHandler } from './application/commands/unload-model/unload-model.handler.js';
import { WarmupModelHandler } from './application/commands/warmup-model/warmup-model.handler.js';
import { CheckHealthHandler } from './application/commands/check-health/check-health.handler.js';
import { UnloadOnUnregisterSaga } from './application/sagas/unload-on-unregister.saga.js';
import { ReloadOnFailureSaga } from './application/sagas/reload-on-failure.saga.js';
import { ModelAlertHandler } from './application/reactions/model-alert.handler.js';
import { CrashLoopBreaker } from './application/crash-loop-breaker.js';
import { RemoveCachedFilesHandler } from './application/reactions/remove-cached-files.handler.js';
import { LifecycleStatus } from './application/queries/lifecycle-status.js';
import { LifecycleController, StatusController } from './interface/http/lifecycle.controller.js';
import { ModelHealthController } from './interface/http/model-health.controller.js';
import { LoadProgressBoard } from './application/load-progress/load-progress.board.js';
import { LoadProgressController } from './interface/http/load-progress.controller.js';

/** The lifecycle context: one worker process per loaded model, under a memory budget, watched for health. */
@Module({
  imports: [RegistryModule],
  controllers: [LifecycleController, StatusController, ModelHealthController, LoadProgressController],
  providers: [
    LifecycleCommandRunner, ManagedModels, ModelWorkers, modelFileCacheProvider, ModelChanges, ModelUnloader, LoadModelWorkflow,
    ModelRuntimeAdapter, HealthMonitor, LifecycleStatus,
    { provide: MODEL_RUNTIME, useExisting: ModelRuntimeAdapter },
    LoadModelHandler, UnloadModelHandler, WarmupModelHandler, CheckHealthHandler,
    UnloadOnUnregisterSaga, ReloadOnFailureSaga, ModelAlertHandler, CrashLoopBreaker, RemoveCachedFilesHandler,
    LoadProgressBoard,
  ],
  exports: [MODEL_RUNTIME, LifecycleStatus],
})
export class LifecycleModule implements OnModuleInit {
  constructor(
    events: EventTypeRegistry,
    private readonly contributors: ModelDetailsContributors,
    private readonly status: LifecycleStatus,
  ) {
    events.register(...lifecycleEvents);
  }

  onModuleInit(): void {
    this.contributors.list.push(this.status);
  }
}
