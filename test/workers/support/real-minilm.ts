/**
 * The real all-MiniLM-L6-v2 (from the langchain4j jars on Maven Central, see
 * scripts/fetch-maven-models.sh), laid out as the folders people download, and an
 * independent reference: onnxruntime-node on the same ONNX file, fed token ids from DJL's
 * tokenizer (fixtures/token-ids), pooled by this file's own code.
 */
import { describe } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { optionalResource } from '../../support/optional-resource.js';
import { writeSentenceTransformersFiles, type SentenceTransformersFiles } from '../../support/tiny-models.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

export interface MiniLmFiles {
  onnx: string;
  quantizedOnnx: string;
  tokenizer: string;
}

/** Token ids DJL gave each fixture text: untruncated, and truncated to 128 and 256 tokens. */
export interface TokenIdCase {
  text: string;
  ids: number[];
  truncated: Record<'128' | '256', number[]>;
}

export const TOKEN_ID_FIXTURES: TokenIdCase[] = (
  JSON.parse(readFileSync(join(ROOT, 'test/workers/fixtures/token-ids/all-minilm-l6-v2.token-ids.json'), 'utf8')) as { cases: TokenIdCase[] }
).cases;

/**
 * Fetches the artifact once (mvn, into .cache/maven-models). Where it cannot be fetched the
 * suites skip with the reason, unless MODELMORA_REQUIRE_MAVEN_MODELS=1 (CI), where that fails.
 */
export async function fetchMiniLm(): Promise<MiniLmFiles | { skip: string }> {
  try {
    const { stdout } = await run('bash', [join(ROOT, 'scripts/fetch-maven-models.sh')], { cwd: ROOT, maxBuffer: 1 << 20 });
    const dir = join(ROOT, stdout.trim().split('\n').at(-1)!);
    return { onnx: join(dir, 'all-minilm-l6-v2.onnx'), quantizedOnnx: join(dir, 'all-minilm-l6-v2-q.onnx'), tokenizer: join(dir, 'all-minilm-l6-v2-tokenizer.json') };
  } catch (err) {
    return { skip: `the real all-MiniLM-L6-v2 could not be fetched from Maven Central (${String((err as Error).message).split('\n')[0]})` };
  }
}

/** `describe`, or `describe.skip` when the artifact is missing (the reason goes to the run's summary). */
export function describeWithMiniLm(name: string, files: MiniLmFiles | { skip: string }, fn: (files: MiniLmFiles) => void): void {
  if ('skip' in files) {
    optionalResource('maven-models', false, files.skip); // throws where the artifact is required
    describe.skip(name, () => fn({ onnx: '', quantizedOnnx: '', tokenizer: '' }));
    return;
  }
  describe(name, () => fn(files));
}

// The parts of the hub's config.json that a loader reads (sentence-transformers/all-MiniLM-L6-v2).
const BERT_CONFIG = { architectures: ['BertModel'], model_type: 'bert', hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, max_position_embeddings: 512, vocab_size: 30522 };

/** A hard link where the file system allows it (the ONNX file is 90 MB), else a copy. */
function place(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** The three layouts of the issue, built from the artifact's files under `dir` (fresh each call). */
export function buildLayouts(files: MiniLmFiles, dir: string) {
  rmSync(dir, { recursive: true, force: true });
  const folder = (name: string, entries: Record<string, string | object>) => {
    const root = join(dir, name);
    for (const [rel, source] of Object.entries(entries)) {
      if (typeof source === 'string') place(source, join(root, rel));
      else {
        mkdirSync(join(root, rel, '..'), { recursive: true });
        writeFileSync(join(root, rel), JSON.stringify(source));
      }
    }
    return root;
  };
  const sentenceTransformers = (name: string, st: SentenceTransformersFiles) => {
    const root = folder(name, { 'onnx/model.onnx': files.onnx, 'tokenizer.json': files.tokenizer, 'config.json': BERT_CONFIG });
    writeSentenceTransformersFiles(root, st, 384);
    return root;
  };
  return {
    /** As sentence-transformers/all-MiniLM-L6-v2 ships: mean pooling, Normalize, max_seq_length 256. */
    sentenceTransformers: sentenceTransformers('sentence-transformers', { pooling: { pooling_mode_mean_tokens: true }, normalize: true, maxSeqLength: 256 }),
    /** The same weights declared CLS-pooled without Normalize (a BGE-style folder). */
    clsPooled: sentenceTransformers('cls-pooled', { pooling: { pooling_mode_cls_token: true }, normalize: false, maxSeqLength: 256 }),
    /** An Optimum export: model.onnx + tokenizer.json + config.json at the root. */
    optimum: folder('optimum', { 'model.onnx': files.onnx, 'tokenizer.json': files.tokenizer, 'config.json': BERT_CONFIG }),
    /** Only a quantized file in onnx/: picked as the one .onnx file there is. */
    quantized: folder('quantized', { 'onnx/model_quantized.onnx': files.quantizedOnnx, 'tokenizer.json': files.tokenizer, 'config.json': BERT_CONFIG }),
    /** Two quantized variants and no model.onnx: the registration must name one (config.onnx_file). */
    twoQuantized: folder('two-quantized', {
      'onnx/model_quantized.onnx': files.quantizedOnnx, 'onnx/model_qint8_avx512.onnx': files.quantizedOnnx, 'tokenizer.json': files.tokenizer, 'config.json': BERT_CONFIG,
    }),
  };
}

export type Pooling = 'mean' | 'cls';

export interface ReferenceCase {
  ids: readonly number[];
  pooling: Pooling;
  normalize: boolean;
}

/**
 * Reference vectors: onnxruntime-node on `onnxPath` in a separate plain Node process
 * (reference-embed.mjs), one text per run, token ids from DJL, pooled and normalised there.
 * Shares nothing with the server's code but the ONNX file.
 */
export function referenceEmbeddings(onnxPath: string, cases: readonly ReferenceCase[]): Promise<number[][]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(ROOT, 'test/workers/support/reference-embed.mjs')], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout) as number[][]),
    );
    child.stdin!.end(JSON.stringify({ onnx: onnxPath, cases }));
  });
}

/** Beside the artifact, so the layouts can hard-link its files; one folder per test process. */
export const layoutsDir = () => join(ROOT, '.cache', 'maven-models', `layouts-${process.pid}`);
