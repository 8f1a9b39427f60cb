import { describe, expect, it } from '@jest/globals';
import { planRuns, RUN_OVERHEAD_TOKENS } from './run-planner.js';

const BIG = { maxRows: 64, maxTokens: 100_000 };
const padded = (lengths: number[], runs: number[][]) => runs.reduce((s, run) => s + RUN_OVERHEAD_TOKENS + run.length * Math.max(...run.map((i) => lengths[i]!)), 0);

describe('planRuns (texts into ONNX runs at the least padded work)', () => {
  it('sorts by length so short texts are not padded to a long one', () => {
    expect(planRuns([100, 5, 90, 6], BIG)).toEqual([[1, 3], [2, 0]]);
  });

  it('merges texts of similar length into one run: one overhead instead of several', () => {
    expect(planRuns([10, 11, 12, 10], BIG)).toEqual([[0, 3, 1, 2]]);
  });

  it('never costs more than one run of everything or one run per text', () => {
    const lengths = [5, 8, 9, 10, 12, 15, 20, 22, 30, 45, 64, 90, 128, 128];
    const runs = planRuns(lengths, BIG);
    expect(runs.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(padded(lengths, runs)).toBeLessThanOrEqual(padded(lengths, [lengths.map((_, i) => i)]));
    expect(padded(lengths, runs)).toBeLessThanOrEqual(padded(lengths, lengths.map((_, i) => [i])));
    // The 128-token texts do not drag the short ones to 128: far less than one run of all (14 × 128).
    expect(padded(lengths, runs)).toBeLessThan(900);
  });

  it('keeps every run within the rows and padded-tokens budget', () => {
    const runs = planRuns([10, 10, 10, 10, 10, 30, 30], { maxRows: 64, maxTokens: 40 });
    expect(runs).toEqual([[0, 1, 2, 3], [4], [5], [6]]);
    expect(planRuns([1, 1, 1, 1, 1], { maxRows: 2, maxTokens: 1_000 }).every((r) => r.length <= 2)).toBe(true);
  });

  it('runs a text longer than the whole budget alone, never drops it, and gives nothing for nothing', () => {
    expect(planRuns([500, 3], { maxRows: 8, maxTokens: 100 })).toEqual([[1], [0]]);
    expect(planRuns([], BIG)).toEqual([]);
  });
});
