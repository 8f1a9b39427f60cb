import { describe, expect, it } from '@jest/globals';
import { findWireFault, WIRE_LIMITS } from './wire-safe.js';

const nested = (levels: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('findWireFault: what JSON and PostgreSQL cannot carry', () => {
  it.each([
    ['a NUL in a string', { a: 'x\u0000' }, 'a', 'NUL'],
    ['a NUL in a key', { 'k\u0000': 1 }, 'k\\u0000', 'NUL'],
    ['a lone high surrogate', { a: ['ok', '\ud800'] }, 'a[1]', 'surrogate'],
    ['a lone low surrogate in a key', { x: { '\udc00': 1 } }, 'x.\\udc00', 'surrogate'],
    ['Infinity (JSON 1e999)', { data: [1, 2, Infinity] }, 'data[2]', 'finite'],
    ['NaN', { n: NaN }, 'n', 'finite'],
    ['nesting past the limit', { c: nested(WIRE_LIMITS.maxDepth + 5) }, 'c', 'deeper'],
  ])('finds %s, with its path', (_what, value, path, problem) => {
    const fault = findWireFault(value);
    expect(fault?.path.startsWith(path)).toBe(true);
    expect(fault?.problem).toContain(problem);
  });

  it.each([
    ['paired surrogates (an emoji)', { a: '😀', '😀': ['é'] }],
    ['a flat tensor', { x: { dims: [2, 2], data: [1.5, -2, 0, 3e38] } }],
    ['nesting just inside the limit', nested(WIRE_LIMITS.maxDepth - 1)],
    ['raw bytes', { b: Buffer.from([0, 0xff]) }],
    ['null, booleans and empty containers', { a: null, b: true, c: [], d: {} }],
  ])('passes %s', (_what, value) => {
    expect(findWireFault(value)).toBeUndefined();
  });

  it('scans a million-number tensor without building paths (one pass, no copy)', () => {
    const data = new Array(1_000_000).fill(0.5);
    expect(findWireFault({ x: { dims: [1000, 1000], data } })).toBeUndefined();
    data[999_999] = Infinity;
    expect(findWireFault({ x: { dims: [1000, 1000], data } })?.path).toBe('x.data[999999]');
  });
});
