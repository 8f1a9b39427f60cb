import { Command } from '@nestjs/cqrs';
import type { JobView } from '../../queries/job.view.js';

/** Cancel a queued job; CANNOT_CANCEL once it runs or ended, JOB_NOT_FOUND when unknown. */
export class CancelJobCommand extends Command<JobView> {
  constructor(readonly jobId: string) {
    super();
  }
}
