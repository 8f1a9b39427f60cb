import { describe, expect, it } from '@jest/globals';
import type { ValueInfo } from '../worker-protocol.js';
import { concatFeeds, groupForBatching, modelAllowsBatching, splitOutput, type PreparedItem } from './tensor-batching.js';

const item = (index: number, rows: number, width = 2): PreparedItem => ({
  index,
  feeds: { x: { type: 'float32', dims: [rows, width], data: Array.from({ length: rows * width }, (_, i) => index * 100 + i) } },
});
const io = (name: string, dims: ValueInfo['dims']): ValueInfo => ({ name, type: 'float32', dims });

describe('tensor batching helpers', () => {
  it('allows batching only when dim 0 can be the batch everywhere', () => {
    expect(modelAllowsBatching([io('x', ['N', 4])], [io('y', ['N', 2])])).toBe(true);
    expect(modelAllowsBatching([io('x', [-1, 4])], [io('y', ['anything', 2])])).toBe(true);
    expect(modelAllowsBatching([io('x', ['N', 4])], [io('y', [-1, 2])])).toBe(true);
    expect(modelAllowsBatching([io('x', [3, 4])], [io('y', ['N', 2])])).toBe(false);
    expect(modelAllowsBatching([io('x', ['N', 4])], [io('y', [1, 2])])).toBe(false);
    expect(modelAllowsBatching([io('x', ['N', 'M'])], [io('y', ['M', 'N'])])).toBe(false);
    expect(modelAllowsBatching([io('x', [])], [io('y', [])])).toBe(false);
  });

  it('groups items by their non-batch dims', () => {
    const groups = groupForBatching([item(0, 1), item(1, 2, 3), item(2, 3), item(3, 1, 3)], ['x']);
    expect(groups.map((g) => g.map((i) => i.index))).toEqual([[0, 2], [1, 3]]);
  });

  it('concatenates along dim 0 and splits by each share', () => {
    const items = [item(0, 1), item(1, 2)];
    const fed = concatFeeds(items, ['x']).x!;
    expect(fed.dims).toEqual([3, 2]);
    expect(fed.data).toEqual([0, 1, 100, 101, 102, 103]);
    const parts = splitOutput({ dims: [3, 2], type: 'float32', data: fed.data as number[] }, [1, 2]);
    expect(parts).toEqual([
      { dims: [1, 2], type: 'float32', data: [0, 1] },
      { dims: [2, 2], type: 'float32', data: [100, 101, 102, 103] },
    ]);
    expect(splitOutput({ dims: [4, 2], type: 'float32', data: [] }, [1, 2])).toBeUndefined();
    expect(splitOutput({ dims: [], type: 'float32', data: [1] }, [1])).toBeUndefined();
  });
});

describe('packed tensors in a batch', () => {
  it('concatenates typed arrays into one typed array of the same kind', () => {
    const packed = (index: number, values: number[]): PreparedItem => ({ index, feeds: { x: { type: 'float32', dims: [values.length / 2, 2], data: Float32Array.from(values) } } });
    const fed = concatFeeds([packed(0, [1, 2]), packed(1, [3, 4, 5, 6])], ['x']).x!;
    expect(fed.data).toBeInstanceOf(Float32Array);
    expect(Array.from(fed.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fed.dims).toEqual([3, 2]);
  });
});
