import type { Dim } from '../worker-protocol.js';

/** Fixed dims stay numbers; symbolic dims keep their name; unknown ones become -1. */
export function normaliseDims(shape: ReadonlyArray<number | string>): Dim[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d >= 0 ? d : -1;
    return d.length > 0 ? d : -1;
  });
}

export function isFixedDim(d: Dim): d is number {
  return typeof d === 'number' && d >= 0;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}
