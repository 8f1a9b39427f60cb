import { Command } from '@nestjs/cqrs';
import type { JobOutcome } from '../../ports/job-outcomes.port.js';
import type { SubmitJobInput } from '../submit-job/submit-job.command.js';

/** Submit a job and wait for it to end: its outputs, or its failure as a DomainError (the sync path). */
export class RunInferenceCommand extends Command<JobOutcome> {
  constructor(readonly input: SubmitJobInput) {
    super();
  }
}
