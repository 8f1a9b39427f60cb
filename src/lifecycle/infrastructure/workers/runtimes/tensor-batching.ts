import type { TensorJson, ValueInfo } from '../worker-protocol.js';
import { elementCount, isFixedDim } from './dims.js';
import { concatData } from './packed-tensor.js';
import type { CheckedTensor } from './tensor-codec.js';

/** A validated request item, remembered by its position in the batch. */
export interface PreparedItem {
  index: number;
  feeds: Record<string, CheckedTensor>;
}

/**
 * Dynamic batching is possible when every input has a non-fixed first dim and every
 * output's first dim can be the batch: not fixed, and, when named, named like an
 * input's first dim (a differently named dim, e.g. Transpose's, is another axis).
 */
export function modelAllowsBatching(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): boolean {
  if (inputs.length === 0) return false;
  if (!inputs.every((i) => i.dims.length >= 1 && !isFixedDim(i.dims[0]!))) return false;
  const batchNames = new Set(inputs.map((i) => i.dims[0]).filter((d) => typeof d === 'string'));
  return outputs.every((o) => {
    const first = o.dims[0];
    if (first === undefined || first === -1) return true; // unknown: checked when splitting
    if (isFixedDim(first)) return false;
    return batchNames.size === 0 || batchNames.has(first);
  });
}

/** The item's share of dim 0, or undefined when its inputs disagree on it. */
function batchShare(item: PreparedItem): number | undefined {
  const shares = new Set(Object.values(item.feeds).map((t) => t.dims[0]));
  return shares.size === 1 ? [...shares][0] : undefined;
}

/** Items with equal signatures can be concatenated along dim 0. */
function batchSignature(item: PreparedItem, inputNames: readonly string[]): string {
  return inputNames.map((n) => `${item.feeds[n]!.type}[${item.feeds[n]!.dims.slice(1).join(',')}]`).join('|');
}

/** Splits items into groups that can each run as one batch; unbatchable items run alone. */
export function groupForBatching(items: readonly PreparedItem[], inputNames: readonly string[]): PreparedItem[][] {
  const groups = new Map<string, PreparedItem[]>();
  const alone: PreparedItem[][] = [];
  for (const item of items) {
    if (batchShare(item) === undefined) {
      alone.push([item]);
      continue;
    }
    const key = batchSignature(item, inputNames);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values(), ...alone];
}

export function concatFeeds(items: readonly PreparedItem[], inputNames: readonly string[]): Record<string, CheckedTensor> {
  const feeds: Record<string, CheckedTensor> = {};
  for (const name of inputNames) {
    const parts = items.map((i) => i.feeds[name]!);
    const first = parts[0]!;
    const rows = parts.reduce((n, p) => n + p.dims[0]!, 0);
    const data = (parts.length === 1 ? first.data : concatData(parts.map((p) => p.data))) as CheckedTensor['data'];
    feeds[name] = { type: first.type, dims: [rows, ...first.dims.slice(1)], data };
  }
  return feeds;
}

/** Splits a batched output by each item's dim-0 share; undefined when dim 0 does not add up. */
export function splitOutput(output: TensorJson, shares: readonly number[]): TensorJson[] | undefined {
  const total = shares.reduce((a, b) => a + b, 0);
  if (output.dims.length === 0 || output.dims[0] !== total) return undefined;
  const rest = output.dims.slice(1);
  const rowSize = elementCount(rest);
  const parts: TensorJson[] = [];
  let offset = 0;
  for (const share of shares) {
    const size = share * rowSize;
    parts.push({ dims: [share, ...rest], type: output.type, data: output.data.slice(offset, offset + size) });
    offset += size;
  }
  return parts;
}
