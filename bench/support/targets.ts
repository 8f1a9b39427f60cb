import { withTarget, type BenchResult, type Target } from './stats.js';

/**
 * Targets for figures whose case does not set its own (issue 9), by result name. The
 * cases that have one baseline per figure can live here; the append and relay cases
 * are owned elsewhere, so their targets are attached here rather than in the case.
 */
const BY_NAME: Readonly<Record<string, Target>> = {
  'append.batch100.throughput': { ratioAtLeast: 0.8 },
  'append.single.p50': { ratioAtMost: 1.5 },
  'relay.throughput': { ratioAtLeast: 0.9 },
};

export function applyTargets(results: readonly BenchResult[]): BenchResult[] {
  return results.map((r) => (r.target === undefined && BY_NAME[r.name] ? withTarget(r, BY_NAME[r.name]!) : r));
}
