import { describe, expect, it } from '@jest/globals';
import { MAX_TENSOR_ELEMENTS, shapeProblem } from './tensor-shape.js';

describe('a tensor shape against its bound and the model', () => {
  it('accepts shapes that fit, empty batches included', () => {
    expect(shapeProblem([2, 4], ['N', 4])).toBeUndefined();
    expect(shapeProblem([0, 4], [-1, 4])).toBeUndefined();
    expect(shapeProblem([3, 7], [])).toBeUndefined(); // rank unknown to the runtime
    expect(shapeProblem([MAX_TENSOR_ELEMENTS])).toBeUndefined();
  });

  it('bounds the extent whatever the model, counting zero dims as 1', () => {
    expect(shapeProblem([0, 4294967297])).toMatch(/describes more than 67108864 elements/);
    expect(shapeProblem([65536, 0, 65536], ['A', 'B', 'C'])).toMatch(/describes more than/);
    expect(shapeProblem([MAX_TENSOR_ELEMENTS + 1])).toMatch(/describes more than/);
  });

  it('holds the rank and every fixed dim to the declaration, zero included', () => {
    expect(shapeProblem([2, 0], ['N', 4])).toBe("shape [2, 0] does not fit the model's [N, 4]: dim 1 must be 4, got 0");
    expect(shapeProblem([4], ['N', 4])).toBe("shape [4] does not fit the model's [N, 4]: rank 1, expected rank 2");
  });
});
