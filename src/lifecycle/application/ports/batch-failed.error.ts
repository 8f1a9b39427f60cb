/**
 * Why a batch failed below the domain, in the serving port's words. The inference context
 * decides what becomes of the batch's jobs: `worker_exited` → requeue them (the worker died
 * under them, the jobs are not at fault), `timeout` → INFERENCE_TIMEOUT, `refused` → the
 * worker's own error code (INVALID_INPUT, INFERENCE_FAILED…).
 */
export class BatchFailedError extends Error {
  constructor(
    readonly kind: 'worker_exited' | 'timeout' | 'refused',
    message: string,
    /** The worker's error code, for `refused`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'BatchFailedError';
  }
}
