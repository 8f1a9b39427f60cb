import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import type { JobRequeued } from '../domain/inference-queue.events.js';
import type { LiveJob } from '../domain/inference-queue.state.js';
import { JobDispatcher } from './dispatch/job-dispatcher.js';
import { dispatchJobOf, type DispatchJob } from './ports/job-dispatch.port.js';
import { JobLedger } from './jobs/job-ledger.js';
import { ModelDirectory, type ModelInfo } from './model-directory.js';
import { JobPayloadReader } from './recording/job-payload-reader.js';
import { QueueRecorder } from './recording/queue-recorder.js';

/** Restart recovery: every job the log says is live runs to an end, none completes twice (docs/architecture.md, "The inference queue"). */
@Injectable()
export class QueueRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger('InferenceRecovery');

  constructor(
    private readonly recorder: QueueRecorder,
    private readonly ledger: JobLedger,
    private readonly dispatcher: JobDispatcher,
    private readonly directory: ModelDirectory,
    private readonly payloads: JobPayloadReader,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const live = this.recorder.read((queue) => [...queue.jobs()].map((j) => ({ ...j })));
    if (live.length === 0) return;
    const { jobs, lost } = await this.withInputs(live);
    this.dispatcher.failLost(lost.map((j) => j.job_id));
    const decision = this.recorder.decide((queue, ctx) => queue.recover(this.options.jobMaxRetries, ctx));
    this.ledger.settle(decision);
    this.requeue(jobs, decision.events.filter((e): e is JobRequeued => e.event_type === 'job.requeued'));
    this.logger.log({
      msg: 'inference queue recovered', queued: live.filter((j) => j.status === 'queued').length,
      interrupted: live.filter((j) => j.status === 'processing').length, lost: lost.length,
    });
    this.dispatcher.wake();
  }

  /** Live jobs of the log, as dispatch jobs with their stored inputs, tracked and queued (but not yet dispatched). */
  async withInputs(live: readonly LiveJob[]): Promise<{ jobs: Map<string, DispatchJob>; lost: LiveJob[] }> {
    const inputs = await this.payloads.inputsOf(live.map((j) => j.job_id));
    const models = new Map<string, ModelInfo | undefined>();
    for (const modelId of new Set(live.map((j) => j.model_id))) models.set(modelId, await this.directory.get(modelId).catch(() => undefined));
    const jobs = new Map<string, DispatchJob>();
    const lost: LiveJob[] = [];
    for (const job of live) {
      const stored = inputs.get(job.job_id);
      if (stored === undefined) {
        lost.push(job);
        continue;
      }
      const dispatchJob = dispatchJobOf(job, stored);
      jobs.set(job.job_id, dispatchJob);
      this.ledger.track(dispatchJob);
      this.dispatcher.adopt(dispatchJob, job.status, models.get(job.model_id));
    }
    return { jobs, lost };
  }

  private requeue(jobs: ReadonlyMap<string, DispatchJob>, requeued: readonly JobRequeued[]): void {
    for (const e of requeued) {
      const job = jobs.get(e.payload.job_id);
      if (job) this.dispatcher.requeueAfter(job, e.payload.delay_ms);
    }
  }
}
