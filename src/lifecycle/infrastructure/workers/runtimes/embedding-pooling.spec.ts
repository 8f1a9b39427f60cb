import { describe, expect, it } from '@jest/globals';
import { l2Normalise, meanPool } from './embedding-pooling.js';

describe('embedding pooling', () => {
  it('averages only the masked-in tokens of each row', () => {
    // batch 2, seq 3, width 2; row 1 has one padded position holding junk.
    const hidden = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 999, 999];
    const mask = [1, 1, 1, 1, 1, 0];
    expect(meanPool(hidden, mask, 2, 3, 2)).toEqual([
      [3, 4],
      [20, 30],
    ]);
  });

  it('scales to unit length and leaves a zero vector alone', () => {
    expect(l2Normalise([3, 4])).toEqual([0.6, 0.8]);
    expect(l2Normalise([0, 0])).toEqual([0, 0]);
  });
});
