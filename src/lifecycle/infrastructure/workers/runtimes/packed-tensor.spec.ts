import { describe, expect, it } from '@jest/globals';
import { unpackBase64 } from './packed-tensor.js';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('data_base64 tensors', () => {
  it('become typed arrays of the declared type, little-endian', () => {
    const f = Buffer.alloc(8);
    f.writeFloatLE(1.5, 0);
    f.writeFloatLE(-2, 4);
    expect(Array.from(unpackBase64('x', 'float32', f.toString('base64'), 2) as Float32Array)).toEqual([1.5, -2]);
    expect(unpackBase64('x', 'int64', b64([255, 255, 255, 255, 255, 255, 255, 255]), 1)).toEqual(BigInt64Array.from([-1n]));
    expect(Array.from(unpackBase64('x', 'float16', b64([0x00, 0x3c, 0x00, 0xc0]), 2) as Float32Array)).toEqual([1, -2]);
  });

  it('refuse a byte count that does not fit the dims, and strings', () => {
    expect(() => unpackBase64('x', 'float32', b64([1, 2, 3]), 1)).toThrow(/holds 3 bytes, dims and float32 need 4/);
    expect(() => unpackBase64('x', 'string', b64([1]), 1)).toThrow(/cannot be sent as data_base64/);
  });
});
