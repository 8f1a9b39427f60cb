import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { RuntimeError } from './runtime-error.js';

const DEFAULT_MAX_LENGTH = 512;
// Hugging Face writes a huge sentinel (1e30) when a tokenizer has no real limit.
const SANE_MAX_LENGTH = 1_000_000;

/** A padded batch, row-major `[batch, seq]`, ready to become int64 tensors. */
export interface EncodedBatch {
  batch: number;
  seq: number;
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RuntimeError('LOAD_FAILED', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readOptionalJson(path: string): Promise<Record<string, unknown>> {
  return existsSync(path) ? readJson(path) : {};
}

function saneLength(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < SANE_MAX_LENGTH ? value : undefined;
}

/** Tokenizes texts like Hugging Face's fast tokenizers with padding=longest and truncation. */
export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly padId: number,
    private readonly specialIds: ReadonlySet<number>,
    readonly maxLength: number,
  ) {}

  /**
   * Reads `tokenizer.json` (+ optional `tokenizer_config.json`, `sentence_bert_config.json`).
   * Max length: the override, else sentence-transformers' max_seq_length, else model_max_length, else 512.
   */
  static async fromFolder(dir: string, maxLengthOverride?: number): Promise<TextTokenizer> {
    const json = await readJson(join(dir, 'tokenizer.json'));
    const config = await readOptionalJson(join(dir, 'tokenizer_config.json'));
    const sbert = await readOptionalJson(join(dir, 'sentence_bert_config.json'));
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (err) {
      throw new RuntimeError('LOAD_FAILED', `invalid tokenizer.json in ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const maxLength =
      saneLength(maxLengthOverride) ??
      saneLength(sbert['max_seq_length']) ??
      saneLength(config['model_max_length']) ??
      DEFAULT_MAX_LENGTH;
    const specialIds = new Set<number>();
    for (const [id, token] of tokenizer.get_added_tokens_decoder()) if (token.special) specialIds.add(id);
    return new TextTokenizer(tokenizer, TextTokenizer.findPadId(tokenizer, json, config), specialIds, maxLength);
  }

  private static findPadId(tokenizer: Tokenizer, json: Record<string, unknown>, config: Record<string, unknown>): number {
    const padding = json['padding'] as { pad_id?: unknown } | null | undefined;
    if (typeof padding?.pad_id === 'number') return padding.pad_id;
    const padToken = typeof config['pad_token'] === 'string' ? config['pad_token'] : '[PAD]';
    // Padded positions are masked out, so any id works when the vocabulary names no pad token.
    return tokenizer.token_to_id(padToken) ?? 0;
  }

  encodeBatch(texts: readonly string[]): EncodedBatch {
    const rows = texts.map((text) => this.truncate(this.tokenizer.encode(text, { return_token_type_ids: true })));
    const seq = Math.max(1, ...rows.map((r) => r.ids.length));
    const inputIds: number[] = [];
    const attentionMask: number[] = [];
    const tokenTypeIds: number[] = [];
    for (const row of rows) {
      const pad = seq - row.ids.length;
      inputIds.push(...row.ids, ...new Array<number>(pad).fill(this.padId));
      attentionMask.push(...row.ids.map(() => 1), ...new Array<number>(pad).fill(0));
      tokenTypeIds.push(...row.typeIds, ...new Array<number>(pad).fill(0));
    }
    return { batch: texts.length, seq, inputIds, attentionMask, tokenTypeIds };
  }

  /** Cuts to maxLength but keeps a closing special token (e.g. [SEP]) as HF truncation does. */
  private truncate(enc: { ids: number[]; token_type_ids?: number[] }): { ids: number[]; typeIds: number[] } {
    const ids = enc.ids;
    const typeIds = enc.token_type_ids ?? ids.map(() => 0);
    if (ids.length <= this.maxLength) return { ids, typeIds };
    const last = ids.length - 1;
    if (this.maxLength > 1 && this.specialIds.has(ids[last]!)) {
      const keep = this.maxLength - 1;
      return { ids: [...ids.slice(0, keep), ids[last]!], typeIds: [...typeIds.slice(0, keep), typeIds[last]!] };
    }
    return { ids: ids.slice(0, this.maxLength), typeIds: typeIds.slice(0, this.maxLength) };
  }
}
