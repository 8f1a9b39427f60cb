import type { DynamicModule } from '@nestjs/common';
import { DomainError } from '../../../src/shared/domain/domain-error.js';
import { MODEL_SERVING, type InferenceInput, type InferResult, type ModelServingPort, type ServedModel } from '../../../src/lifecycle/application/ports/model-serving.port.js';
import { WorkerProcess } from '../../../src/lifecycle/infrastructure/workers/worker-process.js';
import { asBatchFailure } from '../../../src/lifecycle/infrastructure/workers/batch-failure.js';

type State = ReturnType<ModelServingPort['state']>;

/**
 * MODEL_SERVING over REAL worker processes (one `WorkerProcess` per model, loading a
 * tiny ONNX model), without the lifecycle context. What it adds for tests is control
 * and observation: a gate that holds worker calls, a hook before each call, and a
 * record of every ensureLoaded and worker call.
 */
export class TinyRuntime implements ModelServingPort {
  readonly ensureLoadedCalls: string[] = [];
  readonly calls: Array<{ modelId: string; items: number; sessionRuns: number }> = [];
  /** Runs before each worker call (e.g. to kill the worker: a crash mid-batch). */
  beforeInfer: ((modelId: string, worker: WorkerProcess) => Promise<void>) | undefined;
  private readonly models = new Map<string, { dir: string; taskType: string }>();
  private readonly workers = new Map<string, WorkerProcess>();
  private readonly loading = new Map<string, Promise<void>>();
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  /** Calls waiting at the closed gate. */
  held = 0;
  /** States to report instead of the real one (e.g. 'unhealthy', which only the lifecycle could cause). */
  readonly forcedState = new Map<string, State>();

  /** Makes a model known: where its files are and how to run them. */
  define(modelId: string, dir: string, taskType = 'tensor'): void {
    this.models.set(modelId, { dir, taskType });
  }

  /** Worker calls wait until `open()`; the worker itself is untouched. */
  close(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
  }

  open(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.open();
  }

  worker(modelId: string): WorkerProcess | undefined {
    return this.workers.get(modelId);
  }

  async ensureLoaded(modelId: string): Promise<ServedModel> {
    this.ensureLoadedCalls.push(modelId);
    if (this.state(modelId) !== 'loaded') {
      const load = this.loading.get(modelId) ?? this.load(modelId).finally(() => this.loading.delete(modelId));
      this.loading.set(modelId, load);
      await load;
    }
    return this.describe(modelId);
  }

  /** No I/O metadata: the inference suites that use this runtime speak REST, not OIP. */
  describe(modelId: string): ServedModel {
    return { state: this.state(modelId), version: null, io: null };
  }

  async infer(modelId: string, items: InferenceInput[], deadlineMs: number): Promise<InferResult> {
    if (this.gate) {
      this.held++;
      await this.gate.promise.finally(() => this.held--);
    }
    const worker = this.workers.get(modelId);
    if (!worker) throw new DomainError('MODEL_NOT_LOADED', `model ${modelId} is not loaded`);
    await this.beforeInfer?.(modelId, worker);
    // As the lifecycle's ModelWorkers does: the port speaks of failed batches, not of workers.
    const result = await worker.infer(items, { deadlineMs }).catch((err: unknown) => Promise.reject(asBatchFailure(err)));
    this.calls.push({ modelId, items: items.length, sessionRuns: result.session_runs });
    return result;
  }

  /** Tiny models declare nothing: the queue checks their tensors by task type alone. */
  declaredInputs(): undefined {
    return undefined;
  }

  state(modelId: string): State {
    const forced = this.forcedState.get(modelId);
    if (forced) return forced;
    if (this.loading.has(modelId)) return 'loading';
    return this.workers.get(modelId)?.running ? 'loaded' : 'unloaded';
  }

  async stopAll(): Promise<void> {
    this.open();
    await Promise.all([...this.workers.values()].map((w) => w.kill()));
    this.workers.clear();
  }

  private async load(modelId: string): Promise<void> {
    const model = this.models.get(modelId);
    if (!model) throw new DomainError('LOAD_FAILED', `loading ${modelId} failed: no files for it`);
    const worker = new WorkerProcess({ label: modelId, onOutput: () => undefined });
    try {
      await worker.start();
      await worker.load({ modelDir: model.dir, taskType: model.taskType });
    } catch (err) {
      await worker.kill();
      throw new DomainError('LOAD_FAILED', `loading ${modelId} failed: ${err instanceof Error ? err.message : err}`);
    }
    worker.onExit(() => {
      if (this.workers.get(modelId) === worker) this.workers.delete(modelId);
    });
    this.workers.set(modelId, worker);
  }
}

/** A module that provides (and exports) MODEL_SERVING as the given runtime. */
export function tinyRuntimeModule(runtime: TinyRuntime): DynamicModule {
  class TinyRuntimeModule {}
  return { module: TinyRuntimeModule, providers: [{ provide: MODEL_SERVING, useValue: runtime }], exports: [MODEL_SERVING] };
}
