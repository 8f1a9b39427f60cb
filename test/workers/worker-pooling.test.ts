import { afterAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { PoolingMode } from '../../src/shared/domain/serving-config.js';
import type { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { EmbeddingOutput, ItemResult, LoadPayload } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { TINY_EMBEDDINGS, TINY_VOCAB, writePoolingProbeFolder, type SentenceTransformersFiles } from '../support/tiny-models.js';
import { maxAbsDiff, scratchDir, WorkerPool } from './worker-test-helpers.js';

/** The probe's token vectors by hand: E[t] = TINY_EMBEDDINGS[token], h = cumulative sums (see writePoolingProbeFolder). */
function hiddenStates(tokens: string[], direction: 'reverse' | 'forward'): number[][] {
  const e = tokens.map((t) => TINY_EMBEDDINGS[TINY_VOCAB.indexOf(t)]!);
  const sum = (rows: number[][]) => [0, 1, 2].map((h) => rows.reduce((s, r) => s + r[h]!, 0));
  return e.map((_, t) => sum(direction === 'reverse' ? e.slice(t) : e.slice(0, t + 1)));
}

/** sentence-transformers' Pooling, written out independently of the runtime's code. */
function pooled(mode: PoolingMode, h: number[][]): number[] {
  const cols = [0, 1, 2];
  const n = h.length;
  switch (mode) {
    case 'cls': return h[0]!;
    case 'lasttoken': return h[n - 1]!;
    case 'max': return cols.map((c) => Math.max(...h.map((r) => r[c]!)));
    case 'mean': return cols.map((c) => h.reduce((s, r) => s + r[c]!, 0) / n);
    case 'mean_sqrt_len_tokens': return cols.map((c) => h.reduce((s, r) => s + r[c]!, 0) / Math.sqrt(n));
    case 'weightedmean': return cols.map((c) => h.reduce((s, r, t) => s + r[c]! * (t + 1), 0) / ((n * (n + 1)) / 2));
  }
}

const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
const FLAG: Record<PoolingMode, string> = {
  cls: 'pooling_mode_cls_token', mean: 'pooling_mode_mean_tokens', max: 'pooling_mode_max_tokens',
  mean_sqrt_len_tokens: 'pooling_mode_mean_sqrt_len_tokens', weightedmean: 'pooling_mode_weightedmean_tokens', lasttoken: 'pooling_mode_lasttoken',
};

function vectors(result: ItemResult | undefined): number[][] {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return (result.outputs as EmbeddingOutput).embeddings;
}

// Two texts of different lengths in one call: the short one is padded, so a pooling that reads padding shows.
const LONG = 'The cat sat on the mat';
const LONG_TOKENS = ['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '[SEP]'];
const SHORT = 'hello world';
const SHORT_TOKENS = ['[CLS]', 'hello', 'world', '[SEP]'];

describe('txt2embed pooling and normalisation as the folder declares (tiny probe model)', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  afterAll(async () => {
    await pool.stopAll();
    scratch.cleanup();
  });

  async function loaded(name: string, folder: Parameters<typeof writePoolingProbeFolder>[1], runtimeOptions: LoadPayload['runtimeOptions'] = {}) {
    const dir = writePoolingProbeFolder(join(scratch.dir, name), folder);
    const worker: WorkerProcess = await pool.start({ label: name });
    const meta = await worker.load({ modelDir: dir, taskType: 'txt2embed', runtimeOptions });
    return { worker, meta };
  }

  it.each(Object.keys(FLAG) as PoolingMode[])('pools %s as 1_Pooling/config.json declares, over padded batches, then normalises (modules.json has Normalize)', async (mode) => {
    const direction = mode === 'lasttoken' ? 'forward' : 'reverse';
    const st: SentenceTransformersFiles = { pooling: { [FLAG[mode]]: true }, normalize: true };
    const { worker, meta } = await loaded(`st-${mode}`, { direction, st });
    expect(meta.embedding).toMatchObject({ layout: 'sentence-transformers', pooling: [mode], pooling_source: '1_Pooling/config.json', normalize: true, normalize_source: 'modules.json' });
    const reply = await worker.infer([[SHORT, LONG]]);
    const [short, long] = vectors(reply.results[0]);
    expect(maxAbsDiff(short!, unit(pooled(mode, hiddenStates(SHORT_TOKENS, direction))))).toBeLessThan(1e-6);
    expect(maxAbsDiff(long!, unit(pooled(mode, hiddenStates(LONG_TOKENS, direction))))).toBeLessThan(1e-6);
  });

  it('catches a pooling mistake: a CLS-pooled model (BGE-like) gives its [CLS] vector, far from the mean the old runtime served', async () => {
    const { worker } = await loaded('bge-like', { direction: 'reverse', st: { pooling: { pooling_mode_cls_token: true }, normalize: true } });
    const [v] = vectors((await worker.infer([LONG])).results[0]);
    const h = hiddenStates(LONG_TOKENS, 'reverse');
    expect(maxAbsDiff(v!, unit(pooled('cls', h)))).toBeLessThan(1e-6);
    // Mean pooling lands 0.03 away on this probe: thousands of times the tolerance above.
    expect(maxAbsDiff(v!, unit(pooled('mean', h)))).toBeGreaterThan(0.01);
  });

  it('concatenates several declared modes (cls + mean) as sentence-transformers does', async () => {
    const { worker } = await loaded('cls-mean', { direction: 'reverse', st: { pooling: { pooling_mode_cls_token: true, pooling_mode_mean_tokens: true }, normalize: false } });
    const [v] = vectors((await worker.infer([LONG])).results[0]);
    const h = hiddenStates(LONG_TOKENS, 'reverse');
    expect(maxAbsDiff(v!, [...pooled('cls', h), ...pooled('mean', h)])).toBeLessThan(1e-5);
  });

  it('does not normalise when modules.json has no Normalize module', async () => {
    const { worker, meta } = await loaded('no-normalize', { direction: 'reverse', st: { pooling: { pooling_mode_mean_tokens: true }, normalize: false } });
    expect(meta.embedding).toMatchObject({ normalize: false, normalize_source: 'modules.json' });
    const [v] = vectors((await worker.infer([SHORT])).results[0]);
    expect(maxAbsDiff(v!, pooled('mean', hiddenStates(SHORT_TOKENS, 'reverse')))).toBeLessThan(1e-5);
    expect(Math.hypot(...v!)).toBeGreaterThan(2);
  });

  it('serves a folder without sentence-transformers files with the documented default: mean, normalised', async () => {
    const { worker, meta } = await loaded('bare', { direction: 'reverse' });
    expect(meta.embedding).toMatchObject({ layout: 'tokenizer-and-onnx', pooling: ['mean'], pooling_source: 'default', normalize: true, normalize_source: 'default' });
    const [v] = vectors((await worker.infer([LONG])).results[0]);
    expect(maxAbsDiff(v!, unit(pooled('mean', hiddenStates(LONG_TOKENS, 'reverse'))))).toBeLessThan(1e-6);
  });

  it('lets the registration override the folder: config.pooling and config.normalize win', async () => {
    const { worker, meta } = await loaded('override', { direction: 'reverse', st: { pooling: { pooling_mode_mean_tokens: true }, normalize: true } }, { pooling: 'max', normalize: false });
    expect(meta.embedding).toMatchObject({ pooling: ['max'], pooling_source: 'config.pooling', normalize: false, normalize_source: 'config.normalize' });
    const [v] = vectors((await worker.infer([LONG])).results[0]);
    expect(maxAbsDiff(v!, pooled('max', hiddenStates(LONG_TOKENS, 'reverse')))).toBeLessThan(1e-5);
  });

  it('uses a graph\'s own sentence_embedding as it is (no pooling, no normalisation unless declared)', async () => {
    const { worker, meta } = await loaded('pooled-graph', { direction: 'reverse', sentenceEmbedding: true });
    expect(meta.embedding).toMatchObject({ output: 'sentence_embedding', pooling: [], normalize: false });
    const [short, long] = vectors((await worker.infer([[SHORT, LONG]])).results[0]);
    // 2 × Σ E over the real tokens = 2 × h[0] of the reverse cumulative sum.
    expect(maxAbsDiff(short!, hiddenStates(SHORT_TOKENS, 'reverse')[0]!.map((x) => 2 * x))).toBeLessThan(1e-5);
    expect(maxAbsDiff(long!, hiddenStates(LONG_TOKENS, 'reverse')[0]!.map((x) => 2 * x))).toBeLessThan(1e-5);
  });

  it('refuses to pool a folder whose modules.json needs a module it cannot compute (Dense), naming it', async () => {
    const dir = writePoolingProbeFolder(join(scratch.dir, 'dense'), {
      direction: 'reverse', st: { pooling: { pooling_mode_mean_tokens: true }, normalize: true, extraModules: ['sentence_transformers.models.Dense'] },
    });
    const worker = await pool.start({ label: 'dense' });
    await expect(worker.load({ modelDir: dir, taskType: 'txt2embed' })).rejects.toMatchObject({ code: 'LOAD_FAILED', message: expect.stringContaining('sentence_transformers.models.Dense') });
  });

  it('sorts a call\'s texts into runs within the token budget, and the vectors do not depend on the grouping', async () => {
    // 10 padded tokens per run: the two 4-token texts share a run, each 8-token text runs alone.
    const { worker } = await loaded('budget', { direction: 'reverse' }, { maxBatchTokens: 10 });
    const reply = await worker.infer([[LONG, SHORT], SHORT, LONG]);
    expect(reply.session_runs).toBe(3);
    const alone = (await worker.infer([SHORT])).results[0];
    expect(maxAbsDiff(vectors(reply.results[0])[1]!, vectors(alone)[0]!)).toBeLessThan(1e-7);
    expect(maxAbsDiff(vectors(reply.results[2])[0]!, vectors(reply.results[0])[0]!)).toBeLessThan(1e-7);
  });
});
