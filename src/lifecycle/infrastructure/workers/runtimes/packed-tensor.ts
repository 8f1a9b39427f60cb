import { halfToFloat } from '../../../../shared/tensors/float16.js';
import { ELEMENT_BYTES, type TensorType } from '../../../../shared/tensors/tensor-types.js';
import { RuntimeError } from './runtime-error.js';

export type PackedData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/**
 * `data_base64`: a tensor's little-endian bytes, base64. Binary clients' tensors travel the
 * queue, the store and IPC as one string instead of an array of numbers, and become a typed
 * array here without a per-element pass (float16 excepted: kept as the numbers it stands for).
 */
export function unpackBase64(name: string, type: TensorType, base64: string, count: number): PackedData {
  const size = ELEMENT_BYTES[type];
  if (size === undefined) throw new RuntimeError('INVALID_INPUT', `input '${name}': ${type} tensors cannot be sent as data_base64`);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== count * size) {
    throw new RuntimeError('INVALID_INPUT', `input '${name}': data_base64 holds ${bytes.length} bytes, dims and ${type} need ${count * size}`);
  }
  const buf = new ArrayBuffer(bytes.length); // aligned copy: typed arrays need it
  new Uint8Array(buf).set(bytes);
  switch (type) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'float16': return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case 'int8': return new Int8Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'uint16': return new Uint16Array(buf);
    case 'uint32': return new Uint32Array(buf);
    case 'uint64': return new BigUint64Array(buf);
    default: return new Uint8Array(buf); // uint8, bool (non-zero is true)
  }
}

/** Concatenates tensor data along dim 0: typed arrays of one kind stay typed. */
export function concatData<T extends ArrayLike<unknown>>(parts: readonly T[]): T | unknown[] {
  const first = parts[0]!;
  const Ctor = (first as object).constructor as { new (n: number): PackedData } & Function;
  if (!Array.isArray(first) && parts.every((p) => (p as object).constructor === Ctor)) {
    const out = new Ctor(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p, offset);
      offset += p.length;
    }
    return out as unknown as T;
  }
  return parts.flatMap((p) => Array.from(p as ArrayLike<unknown>));
}
