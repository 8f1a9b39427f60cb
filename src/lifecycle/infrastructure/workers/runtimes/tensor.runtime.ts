import type {
  InferenceInput,
  InferResult,
  ItemResult,
  RuntimeOptions,
  TensorMap,
  ValueInfo,
} from '../worker-protocol.js';
import type { LoadedModelInfo, TaskRuntime } from './task-runtime.js';
import { createSession, resolveModelFile, sessionMetadata, type OrtSession, type OrtTensor } from './onnx-session.js';
import { RuntimeError, workerErrorBody } from './runtime-error.js';
import { concatFeeds, groupForBatching, modelAllowsBatching, splitOutput, type PreparedItem } from './tensor-batching.js';
import { checkTensor, fromOrtTensor, toOrtTensor, type CheckedTensor } from './tensor-codec.js';

/** `tensor` task: named tensors in, named tensors out, with dynamic batching along dim 0. */
export class TensorRuntime implements TaskRuntime {
  private session: OrtSession | undefined;
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private batching = false;

  async load(modelDir: string, options: RuntimeOptions): Promise<LoadedModelInfo> {
    const modelPath = resolveModelFile(modelDir, ['model.onnx', 'onnx/model.onnx'], options.onnxFile);
    this.session = await createSession(modelPath, options);
    ({ inputs: this.inputs, outputs: this.outputs } = sessionMetadata(this.session));
    this.batching = options.dynamicBatching !== false && modelAllowsBatching(this.inputs, this.outputs);
    return { inputs: this.inputs, outputs: this.outputs, modelPath };
  }

  async infer(items: readonly InferenceInput[]): Promise<InferResult> {
    const results: ItemResult[] = new Array<ItemResult>(items.length);
    const prepared: PreparedItem[] = [];
    items.forEach((item, index) => {
      try {
        prepared.push({ index, feeds: this.prepare(item) });
      } catch (err) {
        results[index] = { ok: false, error: workerErrorBody(err, 'INVALID_INPUT') };
      }
    });

    const names = this.inputs.map((i) => i.name);
    const groups = this.batching ? groupForBatching(prepared, names) : prepared.map((p) => [p]);
    let sessionRuns = 0;
    for (const group of groups) {
      if (group.length > 1) {
        sessionRuns++;
        const split = await this.runBatch(group, names).catch(() => undefined);
        if (split) {
          group.forEach((item, k) => (results[item.index] = { ok: true, outputs: split[k]! }));
          continue;
        }
        // The batch did not split cleanly (or failed): run items alone so each gets its own answer.
      }
      for (const item of group) {
        sessionRuns++;
        results[item.index] = await this.run(item.feeds).then(
          (outputs): ItemResult => ({ ok: true, outputs }),
          (err: unknown): ItemResult => ({ ok: false, error: workerErrorBody(err, 'INFERENCE_FAILED') }),
        );
      }
    }
    return { results, session_runs: sessionRuns };
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }

  private prepare(item: InferenceInput): Record<string, CheckedTensor> {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new RuntimeError('INVALID_INPUT', 'tensor models take {"<input name>": {"dims", "type", "data"}}');
    }
    const expected = this.inputs.map((i) => i.name);
    const unknown = Object.keys(item).filter((k) => !expected.includes(k));
    if (unknown.length > 0) {
      throw new RuntimeError('INVALID_INPUT', `unknown input(s) ${unknown.join(', ')}; model inputs are ${expected.join(', ')}`);
    }
    const feeds: Record<string, CheckedTensor> = {};
    for (const spec of this.inputs) {
      if (!(spec.name in item)) throw new RuntimeError('INVALID_INPUT', `missing input '${spec.name}'; model inputs are ${expected.join(', ')}`);
      feeds[spec.name] = checkTensor(spec.name, (item as TensorMap)[spec.name], spec);
    }
    return feeds;
  }

  private async runBatch(group: readonly PreparedItem[], names: readonly string[]): Promise<TensorMap[] | undefined> {
    const outputs = await this.run(concatFeeds(group, names));
    const shares = group.map((item) => item.feeds[names[0]!]!.dims[0]!);
    const perItem: TensorMap[] = group.map(() => ({}));
    for (const [name, tensor] of Object.entries(outputs)) {
      const parts = splitOutput(tensor, shares);
      if (!parts) return undefined;
      parts.forEach((part, k) => (perItem[k]![name] = part));
    }
    return perItem;
  }

  private async run(feeds: Record<string, CheckedTensor>): Promise<TensorMap> {
    if (!this.session) throw new RuntimeError('MODEL_NOT_LOADED', 'no model is loaded in this worker');
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(tensor);
    let raw: Record<string, OrtTensor>;
    try {
      raw = (await this.session.run(ortFeeds)) as Record<string, OrtTensor>;
    } catch (err) {
      throw new RuntimeError('INFERENCE_FAILED', err instanceof Error ? err.message : String(err));
    }
    const outputs: TensorMap = {};
    for (const { name } of this.outputs) outputs[name] = fromOrtTensor(raw[name]!);
    return outputs;
  }
}
