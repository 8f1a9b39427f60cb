import { describe, expect, it } from '@jest/globals';
import { planRuns } from './run-planner.js';

describe('planRuns (texts into ONNX runs by a padded-token budget)', () => {
  it('sorts by length so short texts are not padded to a long one', () => {
    expect(planRuns([100, 5, 90, 6], { maxRows: 2, maxTokens: 1_000 })).toEqual([[1, 3], [2, 0]]);
  });

  it('grows a run while rows × longest stays within the token budget', () => {
    // 4 × 10 = 40 fits; the fifth (50 > 40) starts a run; 2 × 30 = 60 > 40 splits the long ones.
    expect(planRuns([10, 10, 10, 10, 10, 30, 30], { maxRows: 64, maxTokens: 40 })).toEqual([[0, 1, 2, 3], [4], [5], [6]]);
  });

  it('runs a text longer than the whole budget alone, never drops it', () => {
    expect(planRuns([500, 3], { maxRows: 8, maxTokens: 100 })).toEqual([[1], [0]]);
  });

  it('keeps the input order among equal lengths, and gives nothing for nothing', () => {
    expect(planRuns([7, 7, 7], { maxRows: 8, maxTokens: 100 })).toEqual([[0, 1, 2]]);
    expect(planRuns([], { maxRows: 8, maxTokens: 100 })).toEqual([]);
  });
});
