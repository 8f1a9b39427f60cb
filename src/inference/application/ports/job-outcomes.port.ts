import type { InferenceOutput } from '../../../lifecycle/contracts.js';
import type { DispatchJob } from './job-dispatch.port.js';

/** What a synchronous caller gets back. */
export interface JobOutcome {
  job_id: string;
  outputs: InferenceOutput;
  processing_time_ms: number;
}

/** How a job ended, as known in memory until its record is on disk. */
export type JobEnd =
  | { status: 'completed'; at: string; processing_time_ms: number }
  | { status: 'failed'; at: string; processing_time_ms: number; error_code: string; error_message: string }
  | { status: 'cancelled'; at: string };

/** What became of the jobs of this instance, and who waits for them (JobLedger). */
export abstract class JobOutcomes {
  /** Waits for a tracked job to end (at once if it already has); undefined for a job not held here. */
  abstract outcome(jobId: string): Promise<JobOutcome> | undefined;
  abstract isSync(jobId: string): boolean;
  /** The end of a job not yet recorded, if that is where it is. */
  abstract endOf(jobId: string): { job: DispatchJob; end: JobEnd } | undefined;
}
