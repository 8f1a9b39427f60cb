import { describe, expect, it } from '@jest/globals';
import { l2Normalise, poolTokens, type TokenEmbeddings } from './embedding-pooling.js';

// batch 2, seq 3, width 2; row 1 has one padded position holding junk that no mode may see.
const TOKENS: TokenEmbeddings = {
  hidden: [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 999, 999],
  mask: [1, 1, 1, 1, 1, 0],
  batch: 2,
  seq: 3,
  width: 2,
};

describe('embedding pooling (sentence-transformers Pooling by hand)', () => {
  it.each([
    ['cls', [[1, 2], [10, 20]]],
    ['mean', [[3, 4], [20, 30]]],
    ['max', [[5, 6], [30, 40]]],
    ['lasttoken', [[5, 6], [30, 40]]],
    // Σ / sqrt(n): row 0 sums (9, 12) over 3 tokens, row 1 sums (40, 60) over 2.
    ['mean_sqrt_len_tokens', [[9 / Math.sqrt(3), 12 / Math.sqrt(3)], [40 / Math.sqrt(2), 60 / Math.sqrt(2)]]],
    // Position weights 1, 2, 3: row 0 (1·1 + 2·3 + 3·5) / 6, row 1 (1·10 + 2·30) / 3.
    ['weightedmean', [[22 / 6, 28 / 6], [70 / 3, 100 / 3]]],
  ] as const)('%s pools the masked-in tokens only', (mode, expected) => {
    const pooled = poolTokens([mode], TOKENS);
    pooled.forEach((row, r) => row.forEach((v, h) => expect(v).toBeCloseTo(expected[r]![h]!, 12)));
  });

  it('concatenates several modes in sentence-transformers order (cls, max, mean, …) whatever order they are given in', () => {
    expect(poolTokens(['mean', 'cls'], TOKENS)).toEqual([
      [1, 2, 3, 4],
      [10, 20, 20, 30],
    ]);
  });

  it('max pooling of negative values ignores padding (masked positions count as -1e9)', () => {
    const negative: TokenEmbeddings = { hidden: [-5, -1, -3, -2, 7, 7], mask: [1, 1, 0], batch: 1, seq: 3, width: 2 };
    expect(poolTokens(['max'], negative)).toEqual([[-3, -1]]);
  });

  it('scales to unit length and leaves a zero vector alone', () => {
    expect(l2Normalise([3, 4])).toEqual([0.6, 0.8]);
    expect(l2Normalise([0, 0])).toEqual([0, 0]);
  });
});
