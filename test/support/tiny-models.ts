/**
 * Writers of tiny ONNX models (opset 13, IR 8) whose outputs a test can compute by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { TensorType } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';

const { onnx } = onnxProto;
/** null = a dimension with neither a value nor a name (fully unknown). */
type Dim = number | string | null;

const ELEM_TYPE: Record<TensorType, number> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13,
};

function valueInfo(name: string, type: TensorType, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEM_TYPE[type], shape: { dim } } } };
}

function floatTensor(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: ELEM_TYPE.float32, floatData: values };
}

/** Writes `graph` as `<dir>/model.onnx` (opset 13), for tests that need a graph of their own. */
export function writeOnnxModel(dir: string, graph: onnxProto.onnx.IGraphProto): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), graph);
}

function writeModel(path: string, graph: onnxProto.onnx.IGraphProto): string {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'modelmora-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

export const MATMUL_WEIGHTS: readonly number[][] = [
  [0.5, -1],
  [2, 0.25],
  [-0.75, 1.5],
  [1, -2],
];

/** `y[N, 2] = x[N, 4] · W` with a symbolic batch dim 'N' and a constant W (MATMUL_WEIGHTS). */
export function writeMatMulModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), {
    name: 'tiny-matmul',
    node: [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'] }],
    initializer: [floatTensor('W', [4, 2], MATMUL_WEIGHTS.flat())],
    input: [valueInfo('x', 'float32', ['N', 4])],
    output: [valueInfo('y', 'float32', ['N', 2])],
  });
}

/** Reference for writeMatMulModel: rows of x times MATMUL_WEIGHTS. */
export function matmulReference(x: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / 4; r++) {
    for (let c = 0; c < 2; c++) out.push(MATMUL_WEIGHTS.reduce((s, w, k) => s + x[r * 4 + k]! * w[c]!, 0));
  }
  return out;
}

/** `y = x` with fixed dims (default float32 [2, 3]) — for validation tests. */
export function writeIdentityModel(dir: string, type: TensorType = 'float32', dims: Dim[] = [2, 3]): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), {
    name: 'tiny-identity',
    node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
    input: [valueInfo('x', type, dims)],
    output: [valueInfo('y', type, dims)],
  });
}

/** `sum[N, 3] = a[N, 3] + b[N, 3]`: two inputs sharing the batch dim. */
export function writeAddModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), {
    name: 'tiny-add',
    node: [{ opType: 'Add', input: ['a', 'b'], output: ['sum'] }],
    input: [valueInfo('a', 'float32', ['N', 3]), valueInfo('b', 'float32', ['N', 3])],
    output: [valueInfo('sum', 'float32', ['N', 3])],
  });
}

/** `y = transpose(x[N, M])` → y[M, N]: a symbolic dim 0 that is not the batch dim. */
export function writeTransposeModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), {
    name: 'tiny-transpose',
    node: [{ opType: 'Transpose', input: ['x'], output: ['y'] }],
    input: [valueInfo('x', 'float32', ['N', 'M'])],
    output: [valueInfo('y', 'float32', ['M', 'N'])],
  });
}

/** `y = reshape(x[N, 4], [-1, 2])` → y[2N, 2]: dim 0 unknown to the runtime and not the batch share. */
export function writeReshapeModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return writeModel(join(dir, 'model.onnx'), {
    name: 'tiny-reshape',
    node: [{ opType: 'Reshape', input: ['x', 'shape'], output: ['y'] }],
    initializer: [{ name: 'shape', dims: [2], dataType: ELEM_TYPE.int64, int64Data: [-1, 2] }],
    input: [valueInfo('x', 'float32', ['N', 4])],
    output: [valueInfo('y', 'float32', [null, 2])],
  });
}

export const TINY_VOCAB: readonly string[] = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', 'the', 'cat', 'sat', 'on', 'mat', '##s', 'a', 'dog',
];

/** Row i is the "hidden state" of token id i; [PAD] is deliberately non-zero so bad pooling shows. */
export const TINY_EMBEDDINGS: readonly number[][] = TINY_VOCAB.map((_, i) =>
  i === 0 ? [9, -9, 9] : [1 + i, (i % 3) - 1, 0.5 * ((i * 7) % 5) - 1],
);

function tokenizerJson(): Record<string, unknown> {
  const special = (id: number) => ({
    id, content: TINY_VOCAB[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const template = (seq: Array<'A' | 'B'>) => [
    { SpecialToken: { id: '[CLS]', type_id: 0 } },
    ...seq.flatMap((s, i) => [{ Sequence: { id: s, type_id: i } }, { SpecialToken: { id: '[SEP]', type_id: i } }]),
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: template(['A']),
      pair: template(['A', 'B']),
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])),
    },
  };
}

/**
 * A Hugging Face style folder: tokenizer.json (BERT-like WordPiece over TINY_VOCAB),
 * tokenizer_config.json and onnx/model.onnx, where last_hidden_state[b, t] = TINY_EMBEDDINGS[input_ids[b, t]].
 */
export function writeTxt2EmbedFolder(dir: string, options: { tokenTypeIds?: boolean } = {}): string {
  const withTypes = options.tokenTypeIds ?? true;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ do_lower_case: true, model_max_length: 512, pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]' }),
  );
  const ids = ['batch', 'sequence'];
  writeModel(join(dir, 'onnx', 'model.onnx'), {
    name: 'tiny-encoder',
    node: [{ opType: 'Gather', input: ['table', 'input_ids'], output: ['last_hidden_state'] }],
    initializer: [floatTensor('table', [TINY_VOCAB.length, 3], TINY_EMBEDDINGS.flat())],
    input: [
      valueInfo('input_ids', 'int64', ids),
      valueInfo('attention_mask', 'int64', ids),
      ...(withTypes ? [valueInfo('token_type_ids', 'int64', ids)] : []),
    ],
    output: [valueInfo('last_hidden_state', 'float32', [...ids, 3])],
  });
  return dir;
}

/** What a sentence-transformers folder declares: `1_Pooling/config.json` flags, and modules.json's modules after pooling. */
export interface SentenceTransformersFiles {
  /** e.g. `{ pooling_mode_cls_token: true }`; the other flags are written false. */
  pooling: Record<string, boolean>;
  normalize: boolean;
  /** Extra module types listed after Pooling (e.g. `sentence_transformers.models.Dense`). */
  extraModules?: string[];
  maxSeqLength?: number;
}

const ST_POOLING_FLAGS = [
  'pooling_mode_cls_token', 'pooling_mode_mean_tokens', 'pooling_mode_max_tokens',
  'pooling_mode_mean_sqrt_len_tokens', 'pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken',
];

/** Writes modules.json, 1_Pooling/config.json and sentence_bert_config.json into `dir`, as sentence-transformers saves them. */
export function writeSentenceTransformersFiles(dir: string, files: SentenceTransformersFiles, width: number): void {
  const modules = [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ...(files.extraModules ?? []).map((type, i) => ({ idx: 2 + i, name: String(2 + i), path: `${2 + i}_Module`, type })),
    ...(files.normalize ? [{ idx: 9, name: '9', path: '9_Normalize', type: 'sentence_transformers.models.Normalize' }] : []),
  ];
  mkdirSync(join(dir, '1_Pooling'), { recursive: true });
  writeFileSync(join(dir, 'modules.json'), JSON.stringify(modules));
  const flags = Object.fromEntries(ST_POOLING_FLAGS.map((f) => [f, files.pooling[f] === true]));
  writeFileSync(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: width, ...flags, include_prompt: true }));
  writeFileSync(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: files.maxSeqLength ?? 256, do_lower_case: false }));
}

/**
 * A tiny encoder whose token vectors depend on their neighbours, so every pooling mode gives
 * a different vector: E = TINY_EMBEDDINGS[input_ids] × attention_mask, then a cumulative sum
 * along the sequence. `reverse` (BERT-like): h[t] = Σ_{s≥t} E[s], so [CLS] sees the whole
 * text; `forward` (decoder-like): h[t] = Σ_{s≤t} E[s], so the last token does, and padded
 * positions hold the whole sum (a pooling that ignores the mask shows). With
 * `sentenceEmbedding`, the graph also outputs sentence_embedding = 2 × Σ_t E[t] (already pooled).
 */
export function writePoolingProbeFolder(dir: string, options: { direction: 'reverse' | 'forward'; sentenceEmbedding?: boolean; st?: SentenceTransformersFiles }): string {
  writeTxt2EmbedFolder(dir);
  const ids = ['batch', 'sequence'];
  const nodes: onnxProto.onnx.INodeProto[] = [
    { opType: 'Gather', input: ['table', 'input_ids'], output: ['tokens'] },
    { opType: 'Cast', input: ['attention_mask'], output: ['mask_f'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEM_TYPE.float32 }] },
    { opType: 'Unsqueeze', input: ['mask_f', 'axis_2'], output: ['mask_3d'] },
    { opType: 'Mul', input: ['tokens', 'mask_3d'], output: ['masked'] },
    {
      opType: 'CumSum', input: ['masked', 'seq_axis'], output: ['last_hidden_state'],
      attribute: [{ name: 'reverse', type: onnx.AttributeProto.AttributeType.INT, i: options.direction === 'reverse' ? 1 : 0 }],
    },
  ];
  const outputs = [valueInfo('last_hidden_state', 'float32', [...ids, 3])];
  if (options.sentenceEmbedding) {
    nodes.push(
      { opType: 'ReduceSum', input: ['masked', 'axis_1'], output: ['summed'], attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { opType: 'Mul', input: ['summed', 'two'], output: ['sentence_embedding'] },
    );
    outputs.push(valueInfo('sentence_embedding', 'float32', ['batch', 3]));
  }
  writeModel(join(dir, 'onnx', 'model.onnx'), {
    name: 'tiny-pooling-probe',
    node: nodes,
    initializer: [
      floatTensor('table', [TINY_VOCAB.length, 3], TINY_EMBEDDINGS.flat()),
      { name: 'seq_axis', dims: [], dataType: ELEM_TYPE.int64, int64Data: [1] },
      { name: 'axis_1', dims: [1], dataType: ELEM_TYPE.int64, int64Data: [1] },
      { name: 'axis_2', dims: [1], dataType: ELEM_TYPE.int64, int64Data: [2] },
      floatTensor('two', [], [2]),
    ],
    input: [valueInfo('input_ids', 'int64', ids), valueInfo('attention_mask', 'int64', ids), valueInfo('token_type_ids', 'int64', ids)],
    output: outputs,
  });
  if (options.st) writeSentenceTransformersFiles(dir, options.st, 3);
  return dir;
}
