/**
 * The inference context's public contract: its events, commands and queries. Everything
 * else under src/inference is internal; the lint rule `context-boundaries` refuses an
 * import of it from another context.
 */
export * from './domain/inference-queue.events.js';
export { SubmitJobCommand, type SubmitJobInput, type SubmittedJob } from './application/commands/submit-job/submit-job.command.js';
export { RunInferenceCommand } from './application/commands/run-inference/run-inference.command.js';
export { CancelJobCommand } from './application/commands/cancel-job/cancel-job.command.js';
export { GetJobQuery } from './application/queries/get-job/get-job.query.js';
export { GetJobResultQuery } from './application/queries/get-job-result/get-job-result.query.js';
export { ListJobsQuery } from './application/queries/list-jobs/list-jobs.query.js';
