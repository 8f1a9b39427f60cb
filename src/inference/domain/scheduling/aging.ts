import { MAX_PRIORITY_RANK } from './priority.js';
import type { Slot } from './queue-slots.js';

// A module-local copy for the hot path: some loaders (tsx) turn imported bindings into getter calls.
const TOP_RANK = MAX_PRIORITY_RANK;

/** How far aging has lifted a job of base `rank` after `waitedMs` (never below `rank`, never above critical). */
export function effectiveRank(rank: number, waitedMs: number, agingIntervalMs: number): number {
  // Written so that NaN anywhere means "no aging" rather than a NaN rank.
  if (!(agingIntervalMs > 0 && agingIntervalMs < Infinity && waitedMs >= agingIntervalMs)) return rank;
  return Math.min(TOP_RANK, rank + Math.floor(waitedMs / agingIntervalMs));
}

/**
 * Which level's head goes next (-1: none): the highest effective rank, then the longer
 * wait, then the higher base rank; inside a level the head has waited longest.
 */
export function nextLevel<T>(candidates: readonly (Slot<T> | null)[], nowMs: number, agingIntervalMs: number): number {
  let best = -1;
  let bestEff = -1;
  let bestFrom = Infinity;
  for (let rank = TOP_RANK; rank >= 0; rank--) {
    const s = candidates[rank]!;
    if (s === null) continue;
    const from = s.agingFromMs;
    const eff = effectiveRank(rank, nowMs - from, agingIntervalMs);
    if (eff > bestEff || (eff === bestEff && from < bestFrom)) {
      best = rank;
      bestEff = eff;
      bestFrom = from;
    }
  }
  return best;
}
