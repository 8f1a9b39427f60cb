/** Limits of one ONNX run over texts: rows, and padded tokens (rows × the longest row). */
export interface RunBudget {
  maxRows: number;
  maxTokens: number;
}

/**
 * Groups texts (by token count) into ONNX runs: shortest first, so each run pads its rows
 * only to a similar length, and a run grows while rows × longest stays within the budget.
 * A text longer than the budget runs alone. Returns the texts' indices, run by run.
 */
export function planRuns(lengths: readonly number[], budget: RunBudget): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const runs: number[][] = [];
  let run: number[] = [];
  for (const i of order) {
    // Sorted ascending: the newcomer is the run's longest row.
    if (run.length > 0 && (run.length + 1 > budget.maxRows || (run.length + 1) * lengths[i]! > budget.maxTokens)) {
      runs.push(run);
      run = [];
    }
    run.push(i);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
