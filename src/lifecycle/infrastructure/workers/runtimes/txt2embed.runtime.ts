import { DEFAULT_MAX_BATCH_TOKENS } from '../../../../shared/domain/serving-config.js';
import type { EmbeddingServing, InferenceInput, InferResult, ItemResult, RuntimeOptions, ValueInfo } from '../worker-protocol.js';
import { readEmbeddingFolder, type EmbeddingFolder } from './embedding-folder.js';
import { l2Normalise, poolTokens } from './embedding-pooling.js';
import { createSession, OrtTensorCtor, quantizesDynamically, sessionMetadata, type OrtSession, type OrtTensor } from './onnx-session.js';
import { planRuns, type RunBudget } from './run-planner.js';
import { RuntimeError, workerErrorBody } from './runtime-error.js';
import type { LoadedModelInfo, TaskRuntime } from './task-runtime.js';
import { TextTokenizer, type EncodedBatch, type EncodedText } from './text-tokenizer.js';

const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];
const SENTENCE_OUTPUT = 'sentence_embedding';
// Bounds the activation of one run however short the texts.
const MAX_ROWS_PER_RUN = 64;

interface TextItem {
  index: number;
  texts: string[];
  truncate: boolean;
}

/**
 * `txt2embed`: texts → sentence embeddings as the folder's authors compute them,
 * the call's texts sorted into runs of at most `maxBatchTokens` padded tokens.
 */
export class Txt2EmbedRuntime implements TaskRuntime {
  private session: OrtSession | undefined;
  private tokenizer: TextTokenizer | undefined;
  private inputs: ValueInfo[] = [];
  private serving: EmbeddingServing | undefined;
  private budget: RunBudget = { maxRows: MAX_ROWS_PER_RUN, maxTokens: DEFAULT_MAX_BATCH_TOKENS };

  async load(modelDir: string, options: RuntimeOptions): Promise<LoadedModelInfo> {
    const folder = await readEmbeddingFolder(modelDir, options);
    this.tokenizer = TextTokenizer.create(folder.tokenizerJson, folder.tokenizerConfig, folder.truncation);
    this.session = await createSession(folder.modelPath, options);
    const { inputs, outputs } = sessionMetadata(this.session);
    try {
      const unsupported = inputs.filter((i) => !KNOWN_INPUTS.includes(i.name)).map((i) => i.name);
      if (!inputs.some((i) => i.name === 'input_ids') || unsupported.length > 0) {
        throw new RuntimeError('LOAD_FAILED', `txt2embed models take input_ids (+ attention_mask, token_type_ids); this one takes ${inputs.map((i) => i.name).join(', ')}`);
      }
      this.serving = servingOf(folder, outputs, options);
    } catch (err) {
      await this.dispose();
      throw err;
    }
    this.inputs = inputs;
    this.budget = {
      // A dynamically quantized graph scales activations over the whole batch: one text per run keeps a vector independent of its companions.
      maxRows: (await quantizesDynamically(folder.modelPath)) ? 1 : MAX_ROWS_PER_RUN,
      maxTokens: options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
    };
    return { inputs, outputs, modelPath: folder.modelPath, embedding: this.serving };
  }

  async infer(items: readonly InferenceInput[]): Promise<InferResult> {
    const tokenizer = this.tokenizer;
    if (!tokenizer) throw new RuntimeError('MODEL_NOT_LOADED', 'no model is loaded in this worker');
    const results = new Array<ItemResult>(items.length);
    const accepted: Array<TextItem & { encoded: EncodedText[] }> = [];
    items.forEach((item, index) => {
      const parsed = textItem(item, index);
      if ('error' in parsed) {
        results[index] = { ok: false, error: { code: 'INVALID_INPUT', message: parsed.error } };
        return;
      }
      const encoded = parsed.texts.map((t) => tokenizer.encode(t));
      const tooLong = parsed.truncate ? -1 : encoded.findIndex((e) => e.fullLength > tokenizer.truncation.maxLength);
      if (tooLong >= 0) {
        const message = `input ${tooLong} has ${encoded[tooLong]!.fullLength} tokens; this model takes at most ${tokenizer.truncation.maxLength} (truncate: false refuses longer texts; leave it out to truncate them)`;
        results[index] = { ok: false, error: { code: 'INVALID_INPUT', message } };
        return;
      }
      accepted.push({ ...parsed, encoded });
    });

    const texts = accepted.flatMap((a) => a.encoded);
    const vectors = new Array<number[]>(texts.length);
    const runs = planRuns(texts.map((t) => t.ids.length), this.budget);
    let sessionRuns = 0;
    try {
      for (const run of runs) {
        sessionRuns++;
        const embedded = await this.embed(tokenizer.pad(run.map((i) => texts[i]!)));
        run.forEach((textIndex, row) => (vectors[textIndex] = embedded[row]!));
      }
    } catch (err) {
      const error = workerErrorBody(err, 'INFERENCE_FAILED');
      for (const a of accepted) results[a.index] = { ok: false, error };
      return { results, session_runs: sessionRuns };
    }
    let next = 0;
    for (const a of accepted) {
      const embeddings = vectors.slice(next, next + a.encoded.length);
      next += a.encoded.length;
      results[a.index] = { ok: true, outputs: { embeddings, dimensions: embeddings[0]?.length ?? 0, token_counts: a.encoded.map((e) => e.ids.length) } };
    }
    return { results, session_runs: sessionRuns };
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }

  private async embed(encoded: EncodedBatch): Promise<number[][]> {
    const session = this.session;
    const serving = this.serving;
    if (!session || !serving) throw new RuntimeError('MODEL_NOT_LOADED', 'no model is loaded in this worker');
    const feeds: Record<string, OrtTensor> = {};
    for (const { name, type } of this.inputs) feeds[name] = idTensor(type, pickFeed(encoded, name), encoded);
    let out: Record<string, OrtTensor>;
    try {
      out = (await session.run(feeds, [serving.output])) as Record<string, OrtTensor>;
    } catch (err) {
      throw new RuntimeError('INFERENCE_FAILED', err instanceof Error ? err.message : String(err));
    }
    const tensor = out[serving.output]!;
    const data = tensor.data as ArrayLike<number>;
    const dims = tensor.dims;
    let vectors: number[][];
    if (serving.pooling.length === 0 && dims.length === 2) vectors = rowsOf(data, dims[0]!, dims[1]!);
    else if (serving.pooling.length > 0 && dims.length === 3) {
      vectors = poolTokens(serving.pooling, { hidden: data, mask: encoded.attentionMask, batch: encoded.batch, seq: encoded.seq, width: dims[2]! });
    } else {
      throw new RuntimeError('INFERENCE_FAILED', `output ${serving.output} has dims [${dims.join(', ')}]; expected ${serving.pooling.length ? '[batch, seq, hidden]' : '[batch, hidden]'}`);
    }
    return serving.normalize ? vectors.map(l2Normalise) : vectors;
  }
}

/** Which output is read and how it becomes one vector per text; refuses what this runtime would compute wrongly. */
function servingOf(folder: EmbeddingFolder, outputs: ValueInfo[], options: RuntimeOptions): EmbeddingServing {
  const names = outputs.map((o) => o.name);
  const sentence = names.includes(SENTENCE_OUTPUT) && !options.pooling;
  const tokenOutput = TOKEN_OUTPUTS.find((n) => names.includes(n)) ?? outputs.find((o) => o.dims.length === 3)?.name;
  const common = {
    layout: folder.layout,
    max_seq_length: folder.truncation.maxLength,
    max_seq_length_source: folder.truncation.source,
    truncation_side: folder.truncation.direction,
  };
  if (sentence) {
    // The graph pools (and maybe normalises) itself: used as it is, normalised only when declared.
    const declared = folder.normalize.source !== 'default';
    return { ...common, output: SENTENCE_OUTPUT, pooling: [], pooling_source: 'the graph', normalize: declared && folder.normalize.value, normalize_source: declared ? folder.normalize.source : 'the graph' };
  }
  if (!tokenOutput) throw new RuntimeError('LOAD_FAILED', `txt2embed needs a token-embedding output [batch, seq, hidden] or ${SENTENCE_OUTPUT}; this graph outputs ${names.join(', ')}`);
  if (folder.unsupportedModules.length > 0) {
    throw new RuntimeError('LOAD_FAILED', `modules.json lists ${folder.unsupportedModules.join(', ')}, which this runtime does not compute; export the model with a ${SENTENCE_OUTPUT} output instead`);
  }
  return {
    ...common, output: tokenOutput, pooling: folder.pooling.modes, pooling_source: folder.pooling.source,
    normalize: folder.normalize.value, normalize_source: folder.normalize.source,
  };
}

function textItem(item: InferenceInput, index: number): TextItem | { error: string } {
  if (typeof item === 'string') return { index, texts: [item], truncate: true };
  if (Array.isArray(item) && item.length > 0 && item.every((t) => typeof t === 'string')) return { index, texts: item as string[], truncate: true };
  const batch = item as { texts?: unknown; truncate?: unknown };
  if (typeof item === 'object' && item !== null && !Array.isArray(item) && Array.isArray(batch.texts) && batch.texts.length > 0 &&
    batch.texts.every((t) => typeof t === 'string') && (batch.truncate === undefined || typeof batch.truncate === 'boolean')) {
    return { index, texts: batch.texts as string[], truncate: batch.truncate !== false };
  }
  return { error: 'txt2embed inputs must be a string, a non-empty array of strings, or {texts: [...], truncate?: boolean}' };
}

function pickFeed(encoded: EncodedBatch, name: string): Int32Array {
  if (name === 'attention_mask') return encoded.attentionMask;
  if (name === 'token_type_ids') return encoded.tokenTypeIds;
  return encoded.inputIds;
}

/** Token ids are int64 in Hugging Face exports; some converters emit int32. */
function idTensor(type: string, values: Int32Array, encoded: EncodedBatch): OrtTensor {
  const dims = [encoded.batch, encoded.seq];
  if (type === 'int32') return new OrtTensorCtor('int32', values, dims);
  const wide = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) wide[i] = BigInt(values[i]!);
  return new OrtTensorCtor('int64', wide, dims);
}

function rowsOf(data: ArrayLike<number>, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: width }, (_, h) => Number(data[r * width + h])));
}
