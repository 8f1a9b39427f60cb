// Most text encoders truncate at 512 tokens or fewer: a longer text costs no more than that.
const MAX_TOKENS_PER_TEXT = 512;
// [CLS] … [SEP] and the like.
const SPECIAL_TOKENS = 2;

/** A generous guess of a text's tokens before any tokenizer saw it: a quarter per ASCII character, one per other; overestimates only shrink batches. */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x80) ascii++;
    else other++;
  }
  return Math.min(MAX_TOKENS_PER_TEXT, Math.ceil(ascii / 4) + other) + SPECIAL_TOKENS;
}

/** A job's estimated tokens, for the batch planner's token budget: its texts' (0 for tensor inputs, which only the count limits). */
export function estimateTokens(inputs: unknown): number {
  if (typeof inputs === 'string') return estimateTextTokens(inputs);
  const texts = Array.isArray(inputs) ? inputs : (inputs as { texts?: unknown } | null)?.texts;
  if (!Array.isArray(texts)) return 0;
  let sum = 0;
  for (const t of texts) if (typeof t === 'string') sum += estimateTextTokens(t);
  return sum;
}
