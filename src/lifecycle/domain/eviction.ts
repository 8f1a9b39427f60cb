import { InsufficientMemoryError } from './model-lifecycle.errors.js';

export interface RunningModel {
  modelId: string;
  memoryMb: number;
  lastUsedMs: number;
}

export interface Budget {
  maxMemoryMb: number;
  maxModels: number;
}

/**
 * Which running models to evict, least recently used first, so that one more model of
 * `needMb` fits both budgets. A model that cannot fit even alone is refused.
 */
export function planEviction(modelId: string, needMb: number, running: readonly RunningModel[], budget: Budget): string[] {
  if (needMb > budget.maxMemoryMb) throw new InsufficientMemoryError(modelId, needMb, budget.maxMemoryMb);
  const others = running.filter((r) => r.modelId !== modelId).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  let used = others.reduce((sum, r) => sum + r.memoryMb, 0);
  let count = others.length;
  const victims: string[] = [];
  for (const r of others) {
    if (used + needMb <= budget.maxMemoryMb && count + 1 <= budget.maxModels) break;
    victims.push(r.modelId);
    used -= r.memoryMb;
    count -= 1;
  }
  return victims;
}

/** Which models to evict, LRU first, when measured memory went over the budget by itself. */
export function planOverBudget(running: readonly RunningModel[], budget: Budget): string[] {
  const sorted = [...running].sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  let used = sorted.reduce((sum, r) => sum + r.memoryMb, 0);
  const victims: string[] = [];
  // Keep the most recently used model even if it alone is over: it is the one in use.
  for (const r of sorted.slice(0, -1)) {
    if (used <= budget.maxMemoryMb) break;
    victims.push(r.modelId);
    used -= r.memoryMb;
  }
  return victims;
}
