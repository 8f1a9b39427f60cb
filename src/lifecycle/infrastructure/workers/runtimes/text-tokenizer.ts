import { Tokenizer } from '@huggingface/tokenizers';
import { RuntimeError } from './runtime-error.js';

/** How texts are cut: at most `maxLength` tokens, special tokens included, keeping the start (right) or the end (left). */
export interface TruncationRule {
  maxLength: number;
  direction: 'right' | 'left';
}

/** One text's tokens after truncation, with how many it had before. */
export interface EncodedText {
  ids: number[];
  typeIds: number[];
  /** Tokens before truncation, special tokens included. */
  fullLength: number;
}

/** A padded batch, row-major `[batch, seq]`, ready to become tensors. */
export interface EncodedBatch {
  batch: number;
  seq: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

/** Tokenizes like Hugging Face's tokenizers (truncate, then add the template, so `[CLS] … [SEP]` survive); padding is the batch's, not the tokenizer's. */
export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly padId: number,
    readonly truncation: TruncationRule,
    /** Special tokens the template puts before and after a single text. */
    private readonly template: { before: number; after: number },
  ) {}

  static create(json: Record<string, unknown>, config: Record<string, unknown>, truncation: TruncationRule): TextTokenizer {
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (err) {
      throw new RuntimeError('LOAD_FAILED', `invalid tokenizer.json: ${err instanceof Error ? err.message : String(err)}`);
    }
    const template = templateOf(tokenizer);
    if (truncation.maxLength <= template.before + template.after) {
      throw new RuntimeError('LOAD_FAILED', `a sequence length of ${truncation.maxLength} leaves no room for text beside the ${template.before + template.after} special tokens`);
    }
    return new TextTokenizer(tokenizer, findPadId(tokenizer, json, config), truncation, template);
  }

  encode(text: string): EncodedText {
    const enc = this.tokenizer.encode(text, { return_token_type_ids: true });
    const full = enc.ids;
    const types = enc.token_type_ids ?? full.map(() => 0);
    const { maxLength, direction } = this.truncation;
    if (full.length <= maxLength) return { ids: full, typeIds: types, fullLength: full.length };
    const { before, after } = this.template;
    const keep = maxLength - before - after;
    const contentEnd = full.length - after;
    const from = direction === 'right' ? before : contentEnd - keep;
    const cut = <T>(xs: T[]) => [...xs.slice(0, before), ...xs.slice(from, from + keep), ...xs.slice(contentEnd)];
    return { ids: cut(full), typeIds: cut(types), fullLength: full.length };
  }

  /** Pads `rows` to the longest of them: the attention mask marks the real tokens. */
  pad(rows: readonly EncodedText[]): EncodedBatch {
    const seq = Math.max(1, ...rows.map((r) => r.ids.length));
    const inputIds = new Int32Array(rows.length * seq).fill(this.padId);
    const attentionMask = new Int32Array(rows.length * seq);
    const tokenTypeIds = new Int32Array(rows.length * seq);
    rows.forEach((row, b) => {
      inputIds.set(row.ids, b * seq);
      attentionMask.fill(1, b * seq, b * seq + row.ids.length);
      tokenTypeIds.set(row.typeIds, b * seq);
    });
    return { batch: rows.length, seq, inputIds, attentionMask, tokenTypeIds };
  }
}

/** Where the template puts its special tokens around one text: found by encoding a probe with and without them. */
function templateOf(tokenizer: Tokenizer): { before: number; after: number } {
  const bare: number[] = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const full: number[] = tokenizer.encode('a').ids;
  for (let at = 0; at + bare.length <= full.length; at++) {
    if (bare.every((id, i) => full[at + i] === id)) return { before: at, after: full.length - at - bare.length };
  }
  return { before: 0, after: Math.max(0, full.length - bare.length) };
}

function findPadId(tokenizer: Tokenizer, json: Record<string, unknown>, config: Record<string, unknown>): number {
  const padding = json['padding'] as { pad_id?: unknown } | null | undefined;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  const named = config['pad_token'];
  // tokenizer_config.json writes the token as a string or as an AddedToken object.
  const padToken = typeof named === 'string' ? named : typeof (named as { content?: unknown })?.content === 'string' ? (named as { content: string }).content : '[PAD]';
  // Padded positions are masked out, so any id works when the vocabulary names no pad token.
  return tokenizer.token_to_id(padToken) ?? 0;
}
