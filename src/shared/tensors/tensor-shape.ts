/**
 * Elements one tensor's shape may describe. No request body can carry more (the largest,
 * OIP's 64 MiB, holds that many one-byte elements), so a bigger shape only steers what a
 * model allocates: `[0, 4294967297]` carries no data yet names four billion of something.
 */
export const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

/** A model's declared dim: a number ≥ 0 is fixed; -1 or a symbolic name is any size. */
export type DeclaredDim = number | string;

/** Why `dims` cannot be fed to a model, or undefined: a bounded extent, and the declared rank and fixed dims when known; one rule for every protocol. */
export function shapeProblem(dims: readonly number[], declared?: readonly DeclaredDim[]): string | undefined {
  let extent = 1;
  for (const d of dims) {
    extent *= Math.max(d, 1);
    if (extent > MAX_TENSOR_ELEMENTS) {
      return `shape [${dims.join(', ')}] describes more than ${MAX_TENSOR_ELEMENTS} elements (zero dims counted as 1)`;
    }
  }
  if (!declared || declared.length === 0) return undefined;
  const misfit = (why: string) => `shape [${dims.join(', ')}] does not fit the model's [${declared.join(', ')}]: ${why}`;
  if (dims.length !== declared.length) return misfit(`rank ${dims.length}, expected rank ${declared.length}`);
  const axis = declared.findIndex((want, k) => typeof want === 'number' && want >= 0 && dims[k] !== want);
  return axis < 0 ? undefined : misfit(`dim ${axis} must be ${declared[axis]}, got ${dims[axis]}`);
}
