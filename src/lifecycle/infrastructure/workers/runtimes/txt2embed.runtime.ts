import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceInput, InferResult, ItemResult, RuntimeOptions, ValueInfo } from '../worker-protocol.js';
import { l2Normalise, meanPool } from './embedding-pooling.js';
import type { LoadedModelInfo, TaskRuntime } from './task-runtime.js';
import { createSession, OrtTensorCtor, resolveModelFile, sessionMetadata, type OrtSession, type OrtTensor } from './onnx-session.js';
import { RuntimeError, workerErrorBody } from './runtime-error.js';
import { TextTokenizer, type EncodedBatch } from './text-tokenizer.js';

const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];
const PREFERRED_OUTPUTS = ['last_hidden_state', 'token_embeddings', 'sentence_embedding'];
// Bounds the padded [texts, seq, hidden] activation of one session.run.
const TEXTS_PER_RUN = 64;

/** `txt2embed` task: Hugging Face folder (tokenizer.json + onnx/model.onnx) → normalised sentence embeddings. */
export class Txt2EmbedRuntime implements TaskRuntime {
  private session: OrtSession | undefined;
  private tokenizer: TextTokenizer | undefined;
  private inputs: ValueInfo[] = [];
  private outputName = '';

  async load(modelDir: string, options: RuntimeOptions): Promise<LoadedModelInfo> {
    if (!existsSync(join(modelDir, 'tokenizer.json'))) {
      throw new RuntimeError('LOAD_FAILED', `txt2embed needs ${join(modelDir, 'tokenizer.json')}`);
    }
    const modelPath = resolveModelFile(modelDir, ['onnx/model.onnx', 'model.onnx']);
    this.tokenizer = await TextTokenizer.fromFolder(modelDir, options.maxSequenceLength);
    this.session = await createSession(modelPath, options);
    const { inputs, outputs } = sessionMetadata(this.session);
    const unsupported = inputs.filter((i) => !KNOWN_INPUTS.includes(i.name)).map((i) => i.name);
    if (!inputs.some((i) => i.name === 'input_ids') || unsupported.length > 0) {
      await this.dispose();
      throw new RuntimeError(
        'LOAD_FAILED',
        `txt2embed models take input_ids (+ attention_mask, token_type_ids); this one takes ${inputs.map((i) => i.name).join(', ')}`,
      );
    }
    this.inputs = inputs;
    this.outputName = (PREFERRED_OUTPUTS.find((n) => outputs.some((o) => o.name === n)) ?? outputs[0]?.name)!;
    return { inputs, outputs, modelPath };
  }

  async infer(items: readonly InferenceInput[]): Promise<InferResult> {
    const results = new Array<ItemResult>(items.length);
    const texts: string[] = [];
    const spans: Array<{ index: number; start: number; count: number }> = [];
    items.forEach((item, index) => {
      const list = typeof item === 'string' ? [item] : item;
      if (!Array.isArray(list) || list.length === 0 || !list.every((t) => typeof t === 'string')) {
        const error = { code: 'INVALID_INPUT' as const, message: 'txt2embed inputs must be a string or a non-empty array of strings' };
        results[index] = { ok: false, error };
        return;
      }
      spans.push({ index, start: texts.length, count: list.length });
      texts.push(...list);
    });

    let sessionRuns = 0;
    const embeddings: number[][] = [];
    const tokenCounts: number[] = [];
    try {
      for (let start = 0; start < texts.length; start += TEXTS_PER_RUN) {
        sessionRuns++;
        embeddings.push(...(await this.embed(texts.slice(start, start + TEXTS_PER_RUN), tokenCounts)));
      }
    } catch (err) {
      const error = workerErrorBody(err, 'INFERENCE_FAILED');
      for (const span of spans) results[span.index] = { ok: false, error };
      return { results, session_runs: sessionRuns };
    }
    for (const { index, start, count } of spans) {
      const rows = embeddings.slice(start, start + count);
      const token_counts = tokenCounts.slice(start, start + count);
      results[index] = { ok: true, outputs: { embeddings: rows, dimensions: rows[0]?.length ?? 0, token_counts } };
    }
    return { results, session_runs: sessionRuns };
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }

  /** Embeds `texts`; appends each text's token count to `tokenCounts` (usage for OpenAI-style clients). */
  private async embed(texts: string[], tokenCounts: number[]): Promise<number[][]> {
    if (!this.session || !this.tokenizer) throw new RuntimeError('MODEL_NOT_LOADED', 'no model is loaded in this worker');
    const encoded = this.tokenizer.encodeBatch(texts);
    for (let row = 0; row < encoded.batch; row++) {
      tokenCounts.push(encoded.attentionMask.slice(row * encoded.seq, (row + 1) * encoded.seq).reduce((a, b) => a + b, 0));
    }
    const feeds: Record<string, OrtTensor> = {};
    for (const { name, type } of this.inputs) feeds[name] = idTensor(type, pickFeed(encoded, name), encoded);
    let out: Record<string, OrtTensor>;
    try {
      out = (await this.session.run(feeds)) as Record<string, OrtTensor>;
    } catch (err) {
      throw new RuntimeError('INFERENCE_FAILED', err instanceof Error ? err.message : String(err));
    }
    const hidden = out[this.outputName]!;
    const data = hidden.data as ArrayLike<number>;
    const dims = hidden.dims;
    if (dims.length === 2) return rowsOf(data, dims[0]!, dims[1]!).map(l2Normalise);
    if (dims.length !== 3) {
      throw new RuntimeError('INFERENCE_FAILED', `output ${this.outputName} has dims [${dims.join(', ')}]; expected [batch, seq, hidden]`);
    }
    return meanPool(data, encoded.attentionMask, encoded.batch, encoded.seq, dims[2]!).map(l2Normalise);
  }
}

function pickFeed(encoded: EncodedBatch, name: string): number[] {
  if (name === 'attention_mask') return encoded.attentionMask;
  if (name === 'token_type_ids') return encoded.tokenTypeIds;
  return encoded.inputIds;
}

/** Token ids are int64 in Hugging Face exports; some converters emit int32. */
function idTensor(type: string, values: number[], encoded: EncodedBatch): OrtTensor {
  const dims = [encoded.batch, encoded.seq];
  if (type === 'int32') return new OrtTensorCtor('int32', Int32Array.from(values), dims);
  return new OrtTensorCtor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

function rowsOf(data: ArrayLike<number>, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: width }, (_, h) => Number(data[r * width + h])));
}
