import { BatchFailedError } from '../../application/ports/batch-failed.error.js';
import { WorkerExitedError, WorkerRequestError, WorkerTimeoutError } from './worker-errors.js';

/** A worker's failure as the serving port reports it; anything else passes unchanged. */
export function asBatchFailure(err: unknown): unknown {
  if (err instanceof WorkerExitedError) return new BatchFailedError('worker_exited', err.message);
  if (err instanceof WorkerTimeoutError) return new BatchFailedError('timeout', err.message);
  if (err instanceof WorkerRequestError) return new BatchFailedError('refused', err.message, err.code);
  return err;
}
