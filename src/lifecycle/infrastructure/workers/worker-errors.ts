import type { WorkerErrorCode } from './worker-protocol.js';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the exit followed shutdown() or kill(). */
  expected: boolean;
}

/** A request got no reply within its deadline. */
export class WorkerTimeoutError extends Error {
  constructor(
    readonly requestType: string,
    readonly deadlineMs: number,
  ) {
    super(`worker did not answer '${requestType}' within ${deadlineMs} ms`);
    this.name = 'WorkerTimeoutError';
  }
}

/** The worker process exited (or was never running) while a request was pending. */
export class WorkerExitedError extends Error {
  constructor(readonly exit: WorkerExit | undefined) {
    super(
      exit
        ? `worker exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`
        : 'worker process is not running',
    );
    this.name = 'WorkerExitedError';
  }
}

/** The worker answered with an error reply ({ok: false}). */
export class WorkerRequestError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}
