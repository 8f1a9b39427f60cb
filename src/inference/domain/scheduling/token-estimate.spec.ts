import { describe, expect, it } from '@jest/globals';
import { estimateTextTokens, estimateTokens } from './token-estimate.js';

describe('estimateTokens (the batch planner’s guess before the tokenizer)', () => {
  it('counts a quarter token per ASCII character and one per other character, plus two special tokens', () => {
    expect(estimateTextTokens('hello world!')).toBe(3 + 2);
    expect(estimateTextTokens('机器学习')).toBe(4 + 2);
    expect(estimateTextTokens('')).toBe(2);
  });

  it('caps a text at 512 tokens: encoders truncate, so a longer text costs no more', () => {
    expect(estimateTextTokens('x'.repeat(100_000))).toBe(514);
  });

  it('sums the texts of a list or a {texts} batch, and gives tensors nothing (only the count limits them)', () => {
    expect(estimateTokens(['abcd', 'abcdefgh'])).toBe(3 + 4);
    expect(estimateTokens({ texts: ['abcd'], truncate: false })).toBe(3);
    expect(estimateTokens({ x: { dims: [1], data: [1] } })).toBe(0);
    expect(estimateTokens(null)).toBe(0);
  });
});
