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

  toBody(): WorkerErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** Maps anything thrown to a reply body; unknown errors get `fallback`. */
export function toErrorBody(err: unknown, fallback: WorkerErrorCode): WorkerErrorBody {
  if (err instanceof RuntimeError) return err.toBody();
  const message = err instanceof Error ? err.message : String(err);
  return { code: fallback, message };
}
