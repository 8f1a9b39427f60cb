import { Module, type DynamicModule, type ModuleMetadata, type NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CancelJobHandler } from './application/commands/cancel-job/cancel-job.handler.js';
import { RunInferenceHandler } from './application/commands/run-inference/run-inference.handler.js';
import { SubmitJobHandler } from './application/commands/submit-job/submit-job.handler.js';
import { BatchRunner } from './application/dispatch/batch-runner.js';
import { JobDispatcher } from './application/dispatch/job-dispatcher.js';
import { JobIntake } from './application/intake/job-intake.js';
import { JobLedger } from './application/jobs/job-ledger.js';
import { InferenceMetrics } from './application/metrics/inference-metrics.js';
import { MetricsHandler } from './application/metrics/metrics.handler.js';
import { QUEUE_DEPTH } from './application/metrics/queue-depth.port.js';
import { ModelDirectory } from './application/model-directory.js';
import { GetJobResultHandler } from './application/queries/get-job-result/get-job-result.handler.js';
import { GetJobHandler } from './application/queries/get-job/get-job.handler.js';
import { ListJobsHandler } from './application/queries/list-jobs/list-jobs.handler.js';
import { QueueRecovery } from './application/queue-recovery.js';
import { QueueTakeover } from './application/takeover/queue-takeover.js';
import { JobPayloadReader } from './application/recording/job-payload-reader.js';
import { JobPayloadStore } from './application/recording/job-payload-store.js';
import { QueueRecorder } from './application/recording/queue-recorder.js';
import { ResultExpiry } from './application/results/result-expiry.js';
import { ModelCatalogChangesHandler } from './application/reactions/model-catalog-changes.handler.js';
import { ModelReadinessHandler } from './application/reactions/model-readiness.handler.js';
import { InferenceController } from './interface/http/inference.controller.js';
import { JobsController } from './interface/http/jobs.controller.js';
import { MetricsController } from './interface/http/metrics.controller.js';
import { OipFallbackController } from './interface/oip/oip-fallback.controller.js';
import { OipModelsController } from './interface/oip/oip-models.controller.js';
import { OipServerController } from './interface/oip/oip-server.controller.js';
import { OpenAiController } from './interface/openai/openai.controller.js';
import { FastifyRoutes } from '../shared/http/adapter/fastify-routes.js';

export interface InferenceModuleOptions {
  /**
   * The module that provides (and exports) MODEL_SERVING (the lifecycle contract's port):
   * the lifecycle context in the app; tests may give one of their own over real workers.
   */
  serving: NonNullable<ModuleMetadata['imports']>[number];
}

/**
 * The inference context: the job queue (group-committed), its dispatcher, reactions,
 * results, metrics and REST API. Its events, jobs read model and tables reach the kernel
 * as `inferenceFeature`; it asks the catalog through the QueryBus and runs batches through
 * the serving port it is given.
 */
@Module({})
export class InferenceModule implements NestModule {
  constructor(private readonly fastifyRoutes: FastifyRoutes) {}

  /** Runs once the app has its HTTP adapter and before its routes are registered (a testing module is built before either). */
  configure(): void {
    this.fastifyRoutes.install();
  }

  static forRoot(options: InferenceModuleOptions): DynamicModule {
    return {
      module: InferenceModule,
      imports: [options.serving, DiscoveryModule],
      controllers: [InferenceController, JobsController, MetricsController, OipServerController, OipModelsController, OpenAiController, OipFallbackController],
      providers: [
        QueueRecorder, JobPayloadStore, JobPayloadReader, JobLedger, JobIntake, ModelDirectory, InferenceMetrics,
        BatchRunner, JobDispatcher, { provide: QUEUE_DEPTH, useExisting: JobDispatcher }, QueueRecovery, QueueTakeover, ResultExpiry,
        SubmitJobHandler, RunInferenceHandler, CancelJobHandler,
        GetJobHandler, GetJobResultHandler, ListJobsHandler,
        ModelReadinessHandler, ModelCatalogChangesHandler, MetricsHandler,
        FastifyRoutes, // what the OIP and OpenAI routes need on a Fastify host
      ],
    };
  }
}
