/**
 * Polls `probe` until it yields a value (not undefined/false), or fails after `timeoutMs`
 * naming what it waited for. Tests wait for the fact, never sleep-then-assert.
 */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
