import { WorkerTimeoutError } from './worker-errors.js';

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests sent to a worker that await their reply, matched by id, each with its own deadline. */
export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Opens a request under a fresh id and `send`s it; rejects with WorkerTimeoutError once the deadline passes. */
  open<R>(type: string, deadlineMs: number, send: (id: number) => void): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WorkerTimeoutError(type, deadlineMs));
      }, deadlineMs);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      send(id);
    });
  }

  resolve(id: number, result: unknown): void {
    this.settle(id, (p) => p.resolve(result));
  }

  reject(id: number, err: Error): void {
    this.settle(id, (p) => p.reject(err));
  }

  /** The worker is gone: nothing pending will be answered. */
  rejectAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, err);
  }

  private settle(id: number, fn: (pending: Pending) => void): void {
    const pending = this.pending.get(id);
    if (!pending) return; // a late reply after its deadline
    this.pending.delete(id);
    clearTimeout(pending.timer);
    fn(pending);
  }
}
