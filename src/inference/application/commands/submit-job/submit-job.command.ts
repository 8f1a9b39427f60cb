import { Command } from '@nestjs/cqrs';

export interface SubmitJobInput {
  model_id: string;
  /** Task-specific: named tensors for `tensor`, a string or strings for `txt2embed`. */
  inputs: unknown;
  priority?: string;
  timeout_ms?: number;
  /** Idempotency key: a second submission with the same key returns the first job. */
  request_id?: string;
}

export interface SubmittedJob {
  job_id: string;
  status: string;
  /** True when `request_id` matched an earlier submission and no new job was made. */
  duplicate: boolean;
}

/** Queue an inference job; the caller gets its id at once (the async path). */
export class SubmitJobCommand extends Command<SubmittedJob> {
  constructor(readonly input: SubmitJobInput) {
    super();
  }
}
