import { describe, expect, it } from '@jest/globals';
import { limitOutputs } from './output-limit.js';
import type { InferResult, TensorJson } from './worker-protocol.js';

const one = (tensor: TensorJson): InferResult => ({ results: [{ ok: true, outputs: { y: tensor } }], session_runs: 1 });

describe('the output limit counts every datatype at its real size', () => {
  it('counts strings as their UTF-8 bytes plus a 4-byte length each (OIP BYTES), not 8 bytes an element', () => {
    const string = one({ dims: [1], type: 'string', data: ['€'.repeat(400)] }); // 1,200 UTF-8 bytes
    expect(limitOutputs(string, 1_204).results[0]!.ok).toBe(true);
    expect(limitOutputs(string, 1_203).results[0]).toMatchObject({ ok: false, error: { code: 'OUTPUT_TOO_LARGE', message: expect.stringContaining('the output is 1204 bytes') } });
  });

  it('counts fixed-size types as elements × element size', () => {
    expect(limitOutputs(one({ dims: [100], type: 'float64', data: new Array(100).fill(1) }), 799).results[0]!.ok).toBe(false);
    expect(limitOutputs(one({ dims: [100], type: 'uint8', data: new Array(100).fill(1) }), 100).results[0]!.ok).toBe(true);
  });
});
