import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ModelMoraOptions } from '../../shared/config/modelmora-options.js';
import { Database } from '../../shared/database/database.js';
import { MODELMORA_OPTIONS } from '../../shared/nest/tokens.js';
import { deadlineOf, type LiveJob } from '../domain/inference-queue.state.js';
import { JobDispatcher } from './dispatch/job-dispatcher.js';
import type { InferenceInput } from './inference-runtime.js';
import { ModelDirectory } from './model-directory.js';
import { QueueWriter } from './queue-writer.js';

/**
 * Restart recovery: every job the log says is live gets run to an end. Queued jobs go
 * back to their lanes in submission order (aging counts from their submission);
 * jobs that were running when the server stopped are requeued (using a retry) — or
 * fail once out of retries — so no acknowledged job is left behind, and none runs to
 * completion twice (a job completes only from `processing`, and only once).
 */
@Injectable()
export class QueueRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger('InferenceRecovery');

  constructor(
    private readonly writer: QueueWriter,
    private readonly dispatcher: JobDispatcher,
    private readonly directory: ModelDirectory,
    private readonly db: Database,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const live = await this.writer.read((queue) => [...queue.jobs()].map((j) => ({ ...j })));
    if (live.length === 0) return;
    const inputs = await this.inputsOf(live.map((j) => j.job_id));
    for (const modelId of new Set(live.map((j) => j.model_id))) await this.directory.get(modelId).catch(() => undefined);
    const lost: LiveJob[] = [];
    for (const job of live) {
      const jobInputs = inputs.get(job.job_id);
      if (jobInputs === undefined) {
        lost.push(job);
        continue;
      }
      this.dispatcher.adopt({
        job_id: job.job_id, model_id: job.model_id, priority: job.priority, inputs: jobInputs,
        submittedAtMs: Date.parse(job.submitted_at), deadlineAtMs: deadlineOf(job),
      }, job.status);
    }
    await this.writer.execute((queue, ctx) => {
      for (const job of lost) queue.fail({ job_id: job.job_id, error_code: 'INFERENCE_FAILED', error_message: 'the job inputs were lost' }, ctx);
      queue.recover(this.options.jobMaxRetries, ctx);
    });
    this.logger.log({
      msg: 'inference queue recovered', queued: live.filter((j) => j.status === 'queued').length,
      interrupted: live.filter((j) => j.status === 'processing').length, lost: lost.length,
    });
    this.dispatcher.wake();
  }

  private async inputsOf(jobIds: string[]): Promise<Map<string, InferenceInput>> {
    const rows = await this.db.query<{ job_id: string; inputs: InferenceInput }>(
      `SELECT job_id, inputs FROM inference_job_inputs WHERE job_id = ANY($1::uuid[])`,
      [jobIds],
    );
    return new Map(rows.map((r) => [r.job_id, r.inputs]));
  }
}
