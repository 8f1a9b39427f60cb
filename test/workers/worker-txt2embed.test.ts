import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { WorkerProcess } from '../../src/lifecycle/infrastructure/workers/worker-process.js';
import type { EmbeddingOutput, ItemResult } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { TINY_EMBEDDINGS, TINY_VOCAB, writeIdentityModel, writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { maxAbsDiff, scratchDir, WorkerPool } from './worker-test-helpers.js';

const id = (token: string) => TINY_VOCAB.indexOf(token);

/** The sentence-transformers recipe by hand: mean of the token rows, then unit length. */
function expectedEmbedding(tokens: string[]): number[] {
  const rows = tokens.map((t) => TINY_EMBEDDINGS[id(t)]!);
  const mean = [0, 1, 2].map((h) => rows.reduce((s, r) => s + r[h]!, 0) / rows.length);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

function embeddingsOf(result: ItemResult | undefined): EmbeddingOutput {
  if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.outputs as EmbeddingOutput;
}

const SHORT = 'Hello world';
const SHORT_TOKENS = ['[CLS]', 'hello', 'world', '[SEP]'];
const LONG = 'The cat sat on the mat';
const LONG_TOKENS = ['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '[SEP]'];

describe('txt2embed runtime (tiny Hugging Face folder)', () => {
  const pool = new WorkerPool();
  const scratch = scratchDir();
  let worker: WorkerProcess;

  beforeAll(async () => {
    writeTxt2EmbedFolder(join(scratch.dir, 'tiny-embed'));
    worker = await pool.start({ label: 'tiny-embed' });
    const meta = await worker.load({ modelDir: join(scratch.dir, 'tiny-embed'), taskType: 'txt2embed' });
    expect(meta.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(meta.outputs).toEqual([{ name: 'last_hidden_state', type: 'float32', dims: ['batch', 'sequence', 3] }]);
  });

  afterAll(async () => {
    await pool.stopAll();
    scratch.cleanup();
  });

  it('mean-pools and L2-normalises like a hand computation, padding or not', async () => {
    const batched = await worker.infer([SHORT, [LONG, SHORT]]);
    expect(batched.session_runs).toBe(1);
    const first = embeddingsOf(batched.results[0]);
    const second = embeddingsOf(batched.results[1]);
    expect(first.dimensions).toBe(3);
    expect(first.embeddings).toHaveLength(1);
    expect(second.embeddings).toHaveLength(2);

    // SHORT was padded to LONG's 8 tokens with a non-zero [PAD] row: the mask must hide it.
    expect(maxAbsDiff(first.embeddings[0]!, expectedEmbedding(SHORT_TOKENS))).toBeLessThan(1e-6);
    expect(maxAbsDiff(second.embeddings[0]!, expectedEmbedding(LONG_TOKENS))).toBeLessThan(1e-6);
    expect(maxAbsDiff(second.embeddings[1]!, first.embeddings[0]!)).toBeLessThan(1e-7);

    const alone = embeddingsOf((await worker.infer([SHORT])).results[0]);
    expect(maxAbsDiff(alone.embeddings[0]!, first.embeddings[0]!)).toBeLessThan(1e-7);
    expect(Math.hypot(...alone.embeddings[0]!)).toBeCloseTo(1, 6);
  });

  it('tokenises WordPiece sub-words and unknown characters', async () => {
    const reply = await worker.infer(['Cats!']);
    const expected = expectedEmbedding(['[CLS]', 'cat', '##s', '[UNK]', '[SEP]']);
    expect(maxAbsDiff(embeddingsOf(reply.results[0]).embeddings[0]!, expected)).toBeLessThan(1e-6);
  });

  it('rejects non-text items with INVALID_INPUT', async () => {
    const reply = await worker.infer([{ x: { dims: [1], data: [1] } }, [], SHORT]);
    expect(reply.results[0]).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(reply.results[1]).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(reply.results[2]?.ok).toBe(true);
  });

  it('truncates to maxSequenceLength but keeps [SEP], and works without token_type_ids', async () => {
    const dir = writeTxt2EmbedFolder(join(scratch.dir, 'no-types'), { tokenTypeIds: false });
    const short = await pool.start({ label: 'no-types' });
    const meta = await short.load({ modelDir: dir, taskType: 'txt2embed', runtimeOptions: { maxSequenceLength: 4 } });
    expect(meta.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    const reply = await short.infer([LONG]);
    const expected = expectedEmbedding(['[CLS]', 'the', 'cat', '[SEP]']);
    expect(maxAbsDiff(embeddingsOf(reply.results[0]).embeddings[0]!, expected)).toBeLessThan(1e-6);
  });

  it('refuses a folder without tokenizer.json with LOAD_FAILED', async () => {
    writeIdentityModel(join(scratch.dir, 'not-a-text-model'));
    const other = await pool.start();
    await expect(other.load({ modelDir: join(scratch.dir, 'not-a-text-model'), taskType: 'txt2embed' })).rejects.toMatchObject({
      code: 'LOAD_FAILED',
      message: expect.stringContaining('tokenizer.json'),
    });
  });
});
