import { availableParallelism } from 'node:os';
import { limitOutputs } from './output-limit.js';
import { createRuntime } from './runtimes/runtime-registry.js';
import type { TaskRuntime } from './runtimes/task-runtime.js';
import { RuntimeError, workerErrorBody } from './runtimes/runtime-error.js';
import type { InferPayload, LoadPayload, ModelMetadata, RuntimeOptions, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** Child-side request dispatcher: one model per worker, inference calls run one at a time. */
export class WorkerMessageHandler {
  private runtime: TaskRuntime | undefined;
  private loading = false;
  private maxOutputBytes: number | undefined;
  // Inference is serialised so a session never runs two batches at once.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly rssMb: () => number) {}

  async handle(request: WorkerRequest): Promise<WorkerReply> {
    const { id } = request;
    try {
      return { id, ok: true, result: await this.dispatch(request) };
    } catch (err) {
      const fallback = request.type === 'load' ? 'LOAD_FAILED' : 'INFERENCE_FAILED';
      return { id, ok: false, error: workerErrorBody(err, fallback) };
    }
  }

  private dispatch(request: WorkerRequest): Promise<unknown> {
    switch (request.type) {
      case 'load':
        return this.load(request.payload);
      case 'infer':
        return this.infer(request.payload);
      case 'ping':
        return Promise.resolve({ rss_mb: this.rssMb() });
      case 'shutdown':
        return this.shutdown();
      default: {
        const unknown: never = request;
        throw new RuntimeError('INVALID_INPUT', `unknown message type ${(unknown as { type?: unknown }).type}`);
      }
    }
  }

  private async load(payload: LoadPayload): Promise<ModelMetadata> {
    if (typeof payload?.modelDir !== 'string' || typeof payload.taskType !== 'string') {
      throw new RuntimeError('LOAD_FAILED', 'load needs {modelDir: string, taskType: string}');
    }
    if (this.runtime || this.loading) throw new RuntimeError('LOAD_FAILED', 'this worker already holds a model');
    this.loading = true;
    try {
      const runtime = createRuntime(payload.taskType);
      const info = await runtime.load(payload.modelDir, boundThreads(payload.runtimeOptions ?? {}));
      this.runtime = runtime;
      this.maxOutputBytes = payload.runtimeOptions?.maxOutputBytes;
      return { inputs: info.inputs, outputs: info.outputs, model_path: info.modelPath, rss_mb: this.rssMb(), ...(info.embedding ? { embedding: info.embedding } : {}) };
    } finally {
      this.loading = false;
    }
  }

  private infer(payload: InferPayload): Promise<unknown> {
    const runtime = this.runtime;
    if (!runtime) return Promise.reject(new RuntimeError('MODEL_NOT_LOADED', 'no model is loaded in this worker'));
    if (!Array.isArray(payload?.items)) {
      return Promise.reject(new RuntimeError('INVALID_INPUT', 'infer needs {items: [...]}'));
    }
    const run = this.queue.then(() => runtime.infer(payload.items)).then((result) => limitOutputs(result, this.maxOutputBytes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async shutdown(): Promise<{ bye: true }> {
    // Graceful: let queued inference finish before the session goes away.
    await this.queue;
    await this.runtime?.dispose();
    this.runtime = undefined;
    return { bye: true };
  }
}

/** More ONNX Runtime threads than the machine has cores only adds contention: `cpu_threads` is capped here. */
function boundThreads(options: RuntimeOptions): RuntimeOptions {
  const requested = options.intraOpNumThreads;
  const cores = availableParallelism();
  return Number.isInteger(requested) && requested! > cores ? { ...options, intraOpNumThreads: cores } : options;
}
