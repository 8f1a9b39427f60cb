import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { DEFAULT_CPU_THREADS, runtimeOptionsFor } from '../../src/lifecycle/infrastructure/workers/runtime-options.js';
import type { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { EmbeddingOutput, InferResult, LoadPayload } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { maxAbsDiff, WorkerPool } from './worker-test-helpers.js';
import { buildLayouts, describeWithMiniLm, fetchMiniLm, layoutsDir, referenceEmbeddings, TOKEN_ID_FIXTURES, type Pooling } from './support/real-minilm.js';

const files = await fetchMiniLm();
const TEXTS = TOKEN_ID_FIXTURES.map((c) => c.text);

function output(reply: InferResult): EmbeddingOutput {
  const r = reply.results[0];
  if (!r?.ok) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r.outputs as EmbeddingOutput;
}

describeWithMiniLm('real all-MiniLM-L6-v2 in the layouts people download (vs onnxruntime-node + DJL token ids + own pooling)', files, (minilm) => {
  const pool = new WorkerPool();
  const dir = layoutsDir();
  let layouts: ReturnType<typeof buildLayouts>;

  beforeAll(() => {
    layouts = buildLayouts(minilm, dir);
  });
  afterAll(async () => {
    await pool.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(modelDir: string, runtimeOptions: LoadPayload['runtimeOptions'] = {}): Promise<{ worker: WorkerProcess; meta: Awaited<ReturnType<WorkerProcess['load']>> }> {
    const worker = await pool.start({ label: 'real-minilm' });
    return { worker, meta: await worker.load({ modelDir, taskType: 'txt2embed', runtimeOptions }) };
  }

  /** Every fixture text in one call (short and long padded together), each against its reference. */
  async function expectReference(worker: WorkerProcess, onnx: string, limit: '128' | '256', pooling: Pooling, normalize: boolean, tolerance: number) {
    const out = output(await worker.infer([TEXTS]));
    expect(out.token_counts).toEqual(TOKEN_ID_FIXTURES.map((c) => c.truncated[limit].length));
    const expected = await referenceEmbeddings(onnx, TOKEN_ID_FIXTURES.map((c) => ({ ids: c.truncated[limit], pooling, normalize })));
    const errors = expected.map((v, i) => maxAbsDiff(out.embeddings[i]!, v));
    expect(errors.filter((e) => !(e < tolerance))).toEqual([]);
  }

  it('sentence-transformers folder: mean + Normalize from modules.json, 256 tokens from sentence_bert_config.json over tokenizer.json\'s 128', async () => {
    const { worker, meta } = await load(layouts.sentenceTransformers);
    expect(meta.embedding).toMatchObject({
      layout: 'sentence-transformers', output: 'last_hidden_state', pooling: ['mean'], normalize: true,
      max_seq_length: 256, max_seq_length_source: 'sentence_bert_config.json max_seq_length',
    });
    await expectReference(worker, minilm.onnx, '256', 'mean', true, 1e-5);
  });

  it('at the server\'s default threads (runtimeOptionsFor: two intra-op threads, no spinning), the same embeddings', async () => {
    const { intraOpNumThreads } = runtimeOptionsFor({ config: null, resource_requirements: {} }, { maxOutputMb: 64, maxBatchTokens: 8192 });
    expect(intraOpNumThreads).toBe(DEFAULT_CPU_THREADS);
    const { worker } = await load(layouts.sentenceTransformers, { intraOpNumThreads });
    await expectReference(worker, minilm.onnx, '256', 'mean', true, 1e-5);
  });

  it('sentence-transformers folder declaring CLS pooling without Normalize: the [CLS] vector, as it is', async () => {
    const { worker, meta } = await load(layouts.clsPooled);
    expect(meta.embedding).toMatchObject({ pooling: ['cls'], normalize: false });
    await expectReference(worker, minilm.onnx, '256', 'cls', false, 1e-4);
  });

  it('Optimum export: tokenizer.json\'s truncation block (128) applies, mean + L2 by default', async () => {
    const { worker, meta } = await load(layouts.optimum);
    expect(meta.embedding).toMatchObject({ layout: 'optimum', pooling: ['mean'], pooling_source: 'default', normalize: true, max_seq_length: 128, max_seq_length_source: 'tokenizer.json truncation.max_length' });
    expect(meta.model_path).toBe(`${layouts.optimum}/model.onnx`);
    await expectReference(worker, minilm.onnx, '128', 'mean', true, 1e-5);
  });

  it('truncation matches DJL\'s token ids for texts over 128 and 256 tokens, and config.max_seq_length overrides the folder', async () => {
    const { worker } = await load(layouts.sentenceTransformers, { maxSequenceLength: 128 });
    await expectReference(worker, minilm.onnx, '128', 'mean', true, 1e-5);
    expect(TOKEN_ID_FIXTURES.filter((c) => c.ids.length > 256).length).toBeGreaterThan(0);
    expect(TOKEN_ID_FIXTURES.filter((c) => c.ids.length > 128).length).toBeGreaterThanOrEqual(3);
  });

  it('quantized variant: the one .onnx file in onnx/ is picked, and serves its own vectors', async () => {
    const { worker, meta } = await load(layouts.quantized);
    expect(meta.model_path).toBe(`${layouts.quantized}/onnx/model_quantized.onnx`);
    await expectReference(worker, minilm.quantizedOnnx, '128', 'mean', true, 1e-4);
  });

  it('two quantized variants: the load says which files it found until config.onnx_file names one', async () => {
    const undecided = await pool.start({ label: 'two-quantized' });
    await expect(undecided.load({ modelDir: layouts.twoQuantized, taskType: 'txt2embed' })).rejects.toMatchObject({
      code: 'LOAD_FAILED', message: expect.stringMatching(/found onnx\/model_q\w+\.onnx, onnx\/model_q\w+\.onnx\); name one with config\.onnx_file/),
    });
    const { worker, meta } = await load(layouts.twoQuantized, { onnxFile: 'onnx/model_qint8_avx512.onnx' });
    expect(meta.model_path).toBe(`${layouts.twoQuantized}/onnx/model_qint8_avx512.onnx`);
    await expectReference(worker, minilm.quantizedOnnx, '128', 'mean', true, 1e-4);
  });

  it('truncate: false refuses a text over the limit, naming it, and leaves the other requests of the call alone', async () => {
    const { worker } = await load(layouts.optimum);
    const long = TOKEN_ID_FIXTURES.find((c) => c.ids.length > 128)!;
    const reply = await worker.infer([{ texts: ['short', long.text], truncate: false }, { texts: ['short'], truncate: false }, long.text]);
    expect(reply.results[0]).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(`input 1 has ${long.ids.length} tokens; this model takes at most 128`) } });
    expect(reply.results[1]?.ok).toBe(true);
    expect(reply.results[2]?.ok).toBe(true);
  });
});
