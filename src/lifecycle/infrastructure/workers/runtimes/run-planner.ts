/** Limits of one ONNX run over texts: rows, and padded tokens (rows × the longest row). */
export interface RunBudget {
  maxRows: number;
  maxTokens: number;
}

/**
 * What one ONNX run costs beside its padded tokens, in tokens: all-MiniLM-L6-v2 on one core
 * takes ~1.7 ms per run plus ~0.12 ms per padded token (docs/models.md), about 16 tokens' worth.
 */
export const RUN_OVERHEAD_TOKENS = 16;

/** Groups texts into ONNX runs at the least padded work (sorted by length, cut by dynamic programming within the budget); returns indices run by run. */
export function planRuns(lengths: readonly number[], budget: RunBudget): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const n = order.length;
  // best[j]: least cost of the first j sorted texts; cut[j]: where the last run of that plan starts.
  const best = new Array<number>(n + 1).fill(Infinity);
  const cut = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    const longest = lengths[order[j - 1]!]!;
    for (let i = j - 1; i >= 0; i--) {
      const rows = j - i;
      if (rows > 1 && (rows > budget.maxRows || rows * longest > budget.maxTokens)) break;
      const cost = best[i]! + RUN_OVERHEAD_TOKENS + rows * longest;
      if (cost < best[j]!) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const runs: number[][] = [];
  for (let j = n; j > 0; j = cut[j]!) runs.unshift(order.slice(cut[j]!, j));
  return runs;
}
