/** Why a batch failed below the domain (`worker_exited`, `timeout`, `refused`); the inference context decides what becomes of its jobs. */
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
