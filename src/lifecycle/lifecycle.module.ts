import { Module } from '@nestjs/common';
import { LifecycleManagerRepository } from './application/lifecycle-manager.repository.js';
import { ModelLifecycleService } from './application/model-lifecycle.service.js';
import { ModelServingAdapter } from './application/model-serving.adapter.js';
import { MODEL_SERVING } from './application/ports/model-serving.port.js';
import { HealthMonitor } from './application/health-monitor.js';
import { LoadModelHandler } from './application/commands/load-model/load-model.handler.js';
import { UnloadModelHandler } from './application/commands/unload-model/unload-model.handler.js';
import { WarmupModelHandler } from './application/commands/warmup-model/warmup-model.handler.js';
import { CheckHealthHandler } from './application/commands/check-health/check-health.handler.js';
import { UnloadOnUnregisterSaga } from './application/sagas/unload-on-unregister.saga.js';
import { ReloadOnFailureSaga } from './application/sagas/reload-on-failure.saga.js';
import { ModelAlertHandler } from './application/handlers/model-alert.handler.js';
import { CrashLoopBreaker } from './application/crash-loop-breaker.js';
import { RemoveCachedFilesHandler } from './application/handlers/remove-cached-files.handler.js';
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
    LifecycleManagerRepository, ModelLifecycleService, ModelServingAdapter, HealthMonitor, LifecycleStatus,
    { provide: MODEL_SERVING, useExisting: ModelServingAdapter },
    LoadModelHandler, UnloadModelHandler, WarmupModelHandler, CheckHealthHandler,
    UnloadOnUnregisterSaga, ReloadOnFailureSaga, ModelAlertHandler, CrashLoopBreaker, RemoveCachedFilesHandler,
    LoadProgressBoard,
  ],
  exports: [MODEL_SERVING],
})
export class LifecycleModule {}
