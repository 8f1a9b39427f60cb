import { ConcurrencyConflictError } from '../domain/domain-error.js';

/**
 * Re-runs a whole load → decide → save when another writer got there first. Only for
 * commands that are safe to decide again on fresh state (all of ours are: the
 * decision is re-made, never the old events re-sent).
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ConcurrencyConflictError) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt)); // jitter spreads racing writers
    }
  }
}
