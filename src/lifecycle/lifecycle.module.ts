import { Module } from '@nestjs/common';
import { CommandScheduler } from '../shared/nest/command-scheduler.js';
import { LifecycleCommandRunner } from './application/lifecycle-command-runner.js';
import { ManagedModels } from './application/managed-models.js';
import { LoadsInFlight } from './application/loads-in-flight.js';
import { ModelUnloader } from './application/model-unloader.js';
import { ModelWorkers } from './infrastructure/workers/model-workers.js';
import { modelFileCacheProvider } from './infrastructure/model-files/model-file-cache.provider.js';
import { ModelServingAdapter } from './application/model-serving.adapter.js';
import { MODEL_SERVING } from './application/ports/model-serving.port.js';
import { HealthMonitor } from './application/health-monitor.js';
import { LifecycleStartup } from './application/lifecycle-startup.js';
import { LifecycleShutdown } from './application/lifecycle-shutdown.js';
import { LoadModelHandler } from './application/commands/load-model/load-model.handler.js';
import { UnloadModelHandler } from './application/commands/unload-model/unload-model.handler.js';
import { WarmupModelHandler } from './application/commands/warmup-model/warmup-model.handler.js';
import { CheckHealthHandler } from './application/commands/check-health/check-health.handler.js';
import { RecordCrashHandler } from './application/commands/record-crash/record-crash.handler.js';
import { RecoverModelHandler } from './application/commands/recover-model/recover-model.handler.js';
import { ReplaceWorkerHandler } from './application/commands/replace-worker/replace-worker.handler.js';
import { ReloadOnFailureSaga } from './application/sagas/reload-on-failure.saga.js';
import { ModelAlertHandler } from './application/reactions/model-alert.handler.js';
import { RetireUnregisteredModelHandler } from './application/reactions/retire-unregistered-model.handler.js';
import { LifecycleStatus } from './application/queries/lifecycle-status.js';
import { LifecycleController, StatusController } from './interface/http/lifecycle.controller.js';
import { ModelHealthController } from './interface/http/model-health.controller.js';
import { LoadProgressBoard } from './application/load-progress/load-progress.board.js';
import { LoadProgressController } from './interface/http/load-progress.controller.js';

/**
 * The lifecycle context: one worker process per loaded model, under a memory budget, watched
 * for health. It serves the inference context through MODEL_SERVING (see `contracts.ts`).
 */
@Module({
  controllers: [LifecycleController, StatusController, ModelHealthController, LoadProgressController],
  providers: [
    LifecycleCommandRunner, ManagedModels, ModelWorkers, modelFileCacheProvider, LoadsInFlight, ModelUnloader,
    ModelServingAdapter, HealthMonitor, LifecycleStartup, LifecycleShutdown, LifecycleStatus, CommandScheduler,
    { provide: MODEL_SERVING, useExisting: ModelServingAdapter },
    LoadModelHandler, UnloadModelHandler, WarmupModelHandler, CheckHealthHandler, RecordCrashHandler, RecoverModelHandler, ReplaceWorkerHandler,
    ReloadOnFailureSaga, ModelAlertHandler, RetireUnregisteredModelHandler,
    LoadProgressBoard,
  ],
  exports: [MODEL_SERVING],
})
export class LifecycleModule {}
