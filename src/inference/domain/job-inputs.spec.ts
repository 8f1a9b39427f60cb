import { describe, expect, it } from '@jest/globals';
import { validateInputs } from './job-inputs.js';

describe('tensor inputs sent packed (data_base64)', () => {
  const packed = (bytes: number, type = 'float32') => ({ x: { dims: [2], type, data_base64: Buffer.alloc(bytes).toString('base64') } });

  it('accepts bytes that fit dims and type', () => {
    expect(() => validateInputs('tensor', packed(8))).not.toThrow();
    expect(() => validateInputs('tensor', packed(16, 'int64'))).not.toThrow();
  });

  it('refuses a wrong size, a missing or variable-size type, and data given twice', () => {
    expect(() => validateInputs('tensor', packed(7))).toThrow(/holds 7 bytes, dims and float32 need 8/);
    expect(() => validateInputs('tensor', { x: { dims: [2], data_base64: 'AAAAAAAAAAA=' } })).toThrow(/explicit fixed-size type/);
    expect(() => validateInputs('tensor', packed(2, 'string'))).toThrow(/explicit fixed-size type/);
    expect(() => validateInputs('tensor', { x: { dims: [1], type: 'float32', data: [1], data_base64: 'AAAAAA==' } })).toThrow(/not both/);
    expect(() => validateInputs('tensor', { x: { dims: [1], type: 'float32', data_base64: '***' } })).toThrow(/base64 string/);
  });

  it('takes txt2embed texts as {texts, truncate} so a caller can ask for a refusal instead of a cut', () => {
    expect(() => validateInputs('txt2embed', { texts: ['a', 'b'], truncate: false })).not.toThrow();
    expect(() => validateInputs('txt2embed', { texts: ['a'] })).not.toThrow();
    expect(() => validateInputs('txt2embed', { texts: [], truncate: false })).toThrow(/truncate/);
    expect(() => validateInputs('txt2embed', { texts: ['a'], truncate: 'no' })).toThrow(/non-empty array of strings/);
    expect(() => validateInputs('txt2embed', { texts: ['a'], extra: 1 })).toThrow(/non-empty array of strings/);
    expect(() => validateInputs('classification', { texts: ['a'] })).toThrow(/non-empty array of strings$/);
  });
});

describe('tensor shapes before anything is queued', () => {
  const declared = [{ name: 'x', dims: ['N', 4] }];

  it('refuses a zero-element tensor whose dims describe more than a tensor may hold, whatever the model', () => {
    expect(() => validateInputs('tensor', { x: { dims: [0, 4294967297], data: [] } })).toThrow(/describes more than 67108864 elements/);
    expect(() => validateInputs('tensor', { x: { dims: [0, 3], data: [] } })).not.toThrow();
  });

  it("holds rank and fixed dims to the loaded model's declaration, when it is known", () => {
    expect(() => validateInputs('tensor', { x: { dims: [2, 0], data: [] } }, declared)).toThrow(/dim 1 must be 4, got 0/);
    expect(() => validateInputs('tensor', { x: { dims: [4], data: [1, 2, 3, 4] } }, declared)).toThrow(/expected rank 2/);
    expect(() => validateInputs('tensor', { x: { dims: [1, 4], data: [1, 2, 3, 4] } }, declared)).not.toThrow();
    expect(() => validateInputs('tensor', { x: { dims: [2, 0], data: [] } })).not.toThrow(); // not loaded: the worker checks
  });
});

