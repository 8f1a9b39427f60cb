import type { WorkerErrorBody, WorkerErrorCode } from '../worker-protocol.js';

/** An error a runtime reports back to the parent with a stable code (never a crash). */
export class RuntimeError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/**
 * Maps anything a runtime threw to a worker reply's error; unknown errors get `fallback`.
 * (HTTP's error language is the server's `toErrorBody`: a worker speaks only WorkerErrorCode.)
 */
export function workerErrorBody(err: unknown, fallback: WorkerErrorCode): WorkerErrorBody {
  if (err instanceof RuntimeError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: fallback, message };
}
