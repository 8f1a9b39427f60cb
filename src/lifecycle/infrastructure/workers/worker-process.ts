import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { defaultWorkerEntry, type WorkerEntry } from './worker-entry.js';
import { workerEnvironment } from './worker-environment.js';
import { PendingRequests } from './pending-requests.js';
import { WorkerExitedError, WorkerRequestError, WorkerTimeoutError, type WorkerExit } from './worker-errors.js';
import {
  isReadyMessage,
  isWorkerReply,
  type InferenceInput,
  type LoadPayload,
  type RequestMap,
  type RequestType,
  type WorkerRequest,
} from './worker-protocol.js';

export interface WorkerProcessOptions {
  /** Prefix for the worker's piped output, typically the model id. */
  label?: string;
  entry?: WorkerEntry;
  /** The worker's whole environment; default: {@link workerEnvironment}, never the server's secrets. */
  env?: NodeJS.ProcessEnv;
  /** fork → 'ready' deadline; default 30 s. */
  startTimeoutMs?: number;
  /** Receives each line the worker writes to stdout/stderr, already prefixed; default: parent's stderr. */
  onOutput?: (line: string) => void;
}

export interface RequestOptions {
  deadlineMs?: number;
}

const DEFAULT_DEADLINES_MS: Readonly<Record<RequestType, number>> = {
  load: 120_000,
  infer: 60_000,
  ping: 5_000,
  shutdown: 10_000,
};

/** Parent-side handle on one model worker process. */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private readonly pending = new PendingRequests();
  private readonly exitListeners = new Set<(exit: WorkerExit) => void>();
  private exitInfo: WorkerExit | undefined;
  private expectingExit = false;
  private ready: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private resolveExited!: (exit: WorkerExit) => void;
  private readonly exited = new Promise<WorkerExit>((resolve) => (this.resolveExited = resolve));

  constructor(private readonly options: WorkerProcessOptions = {}) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** Forks the worker; resolves once it reports 'ready'. */
  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error('worker already started'));
    const entry = this.options.entry ?? defaultWorkerEntry();
    const child = fork(entry.modulePath, [], {
      execArgv: entry.execArgv,
      env: this.options.env ?? workerEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    this.pipeOutput(child.stdout);
    this.pipeOutput(child.stderr);
    child.on('message', (msg: unknown) => this.onMessage(msg));
    child.on('exit', (code, signal) => this.onChildExit(code, signal));
    child.on('error', (err) => {
      // Spawn failures emit 'error' without 'exit'.
      if (child.pid === undefined) this.onChildExit(null, null, err);
    });
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ready = undefined;
        this.expectingExit = true;
        child.kill('SIGKILL');
        reject(new WorkerTimeoutError('start', timeoutMs));
      }, timeoutMs);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        this.ready = undefined;
        fn();
      };
      this.ready = { resolve: () => settle(resolve), reject: (err) => settle(() => reject(err)) };
    });
  }

  request<T extends RequestType>(
    type: T,
    payload: RequestMap[T]['payload'],
    options: RequestOptions = {},
  ): Promise<RequestMap[T]['result']> {
    const child = this.child;
    if (!child || this.exitInfo || !child.connected) return Promise.reject(new WorkerExitedError(this.exitInfo));
    const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINES_MS[type];
    return this.pending.open(type, deadlineMs, (id) => {
      const message = { id, type, payload } as WorkerRequest;
      try {
        child.send(message, (err) => err && this.pending.reject(id, new WorkerExitedError(this.exitInfo)));
      } catch {
        this.pending.reject(id, new WorkerExitedError(this.exitInfo));
      }
    });
  }

  load(payload: LoadPayload, options?: RequestOptions): Promise<RequestMap['load']['result']> {
    return this.request('load', payload, options);
  }

  infer(items: InferenceInput[], options?: RequestOptions): Promise<RequestMap['infer']['result']> {
    return this.request('infer', { items }, options);
  }

  ping(options?: RequestOptions): Promise<RequestMap['ping']['result']> {
    return this.request('ping', undefined, options);
  }

  /** Asks the worker to finish and exit; SIGKILL after graceMs. Resolves once the process is gone. */
  async shutdown(graceMs = 5_000): Promise<WorkerExit> {
    const child = this.child;
    if (!child) return { code: null, signal: null, expected: true };
    if (this.exitInfo) return this.exitInfo;
    this.expectingExit = true;
    this.request('shutdown', undefined, { deadlineMs: graceMs }).catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL now; resolves once the process is gone. */
  async kill(): Promise<WorkerExit> {
    if (!this.child) return { code: null, signal: null, expected: true };
    if (this.exitInfo) return this.exitInfo;
    this.expectingExit = true;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Called once when the process exits (at once if it already has). Returns an unsubscribe function. */
  onExit(listener: (exit: WorkerExit) => void): () => void {
    if (this.exitInfo) {
      listener(this.exitInfo);
      return () => undefined;
    }
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Resident memory of the worker in MB, from /proc (falls back to a ping elsewhere). */
  async rssMb(): Promise<number> {
    const pid = this.pid;
    if (pid === undefined || this.exitInfo) throw new WorkerExitedError(this.exitInfo);
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (match) return Math.round((Number(match[1]) / 1024) * 10) / 10;
    } catch {
      // No procfs (macOS) or the process just went away: ask the worker itself.
    }
    return (await this.ping()).rss_mb;
  }

  private onMessage(msg: unknown): void {
    if (isReadyMessage(msg)) {
      this.ready?.resolve();
      return;
    }
    if (!isWorkerReply(msg)) return;
    if (msg.ok) this.pending.resolve(msg.id, msg.result);
    else this.pending.reject(msg.id, new WorkerRequestError(msg.error.code, msg.error.message));
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    if (this.exitInfo) return;
    const exit: WorkerExit = { code, signal, expected: this.expectingExit };
    this.exitInfo = exit;
    const err = new WorkerExitedError(exit);
    this.pending.rejectAll(err);
    this.ready?.reject(spawnError ?? err);
    for (const listener of this.exitListeners) {
      try {
        listener(exit);
      } catch {
        // A failing listener must not stop the others.
      }
    }
    this.exitListeners.clear();
    this.resolveExited(exit);
  }

  private pipeOutput(stream: Readable | null): void {
    if (!stream) return;
    const sink = this.options.onOutput ?? ((line: string) => process.stderr.write(`${line}\n`));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => sink(`[worker ${this.options.label ?? 'model'} pid=${this.pid ?? '?'}] ${line}`));
  }
}
