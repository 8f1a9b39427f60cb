import { floatToHalf, halfToFloat } from '../../../lifecycle/infrastructure/workers/runtimes/float16.js';
import { OipError } from './oip-error.js';

/** OIP datatypes and the worker's tensor types: every one onnxruntime-node runs (BF16 it does not). */
export const OIP_TO_TENSOR = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
} as const;
export type OipDatatype = keyof typeof OIP_TO_TENSOR;
export type Element = number | boolean | string;

const TENSOR_TO_OIP = Object.fromEntries(Object.entries(OIP_TO_TENSOR).map(([oip, t]) => [t, oip])) as Record<string, OipDatatype>;

export function isOipDatatype(value: unknown): value is OipDatatype {
  return typeof value === 'string' && Object.hasOwn(OIP_TO_TENSOR, value);
}

/** The OIP name of a model's tensor type (`tensor(float)` style names included). */
export function oipDatatypeOf(tensorType: string): string {
  const bare = tensorType.replace(/^tensor\((.*)\)$/, '$1');
  return TENSOR_TO_OIP[bare] ?? bare.toUpperCase();
}

export function assertDatatype(name: string, datatype: unknown): OipDatatype {
  if (isOipDatatype(datatype)) return datatype;
  const why = datatype === 'BF16' ? ' (onnxruntime-node has no bfloat16 tensors)' : '';
  throw new OipError(400, `tensor '${name}': datatype ${JSON.stringify(datatype)} is not supported${why}; use one of ${Object.keys(OIP_TO_TENSOR).join(', ')}`);
}

interface Layout {
  size: number;
  read: (v: DataView, o: number) => number | bigint;
  write: (v: DataView, o: number, x: number) => void;
}

const LAYOUT: Record<Exclude<OipDatatype, 'BYTES'>, Layout> = {
  BOOL: { size: 1, read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x ? 1 : 0) },
  UINT8: { size: 1, read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x) },
  UINT16: { size: 2, read: (v, o) => v.getUint16(o, true), write: (v, o, x) => v.setUint16(o, x, true) },
  UINT32: { size: 4, read: (v, o) => v.getUint32(o, true), write: (v, o, x) => v.setUint32(o, x, true) },
  UINT64: { size: 8, read: (v, o) => v.getBigUint64(o, true), write: (v, o, x) => v.setBigUint64(o, BigInt(x), true) },
  INT8: { size: 1, read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x) },
  INT16: { size: 2, read: (v, o) => v.getInt16(o, true), write: (v, o, x) => v.setInt16(o, x, true) },
  INT32: { size: 4, read: (v, o) => v.getInt32(o, true), write: (v, o, x) => v.setInt32(o, x, true) },
  INT64: { size: 8, read: (v, o) => v.getBigInt64(o, true), write: (v, o, x) => v.setBigInt64(o, BigInt(x), true) },
  FP16: { size: 2, read: (v, o) => halfToFloat(v.getUint16(o, true)), write: (v, o, x) => v.setUint16(o, floatToHalf(x), true) },
  FP32: { size: 4, read: (v, o) => v.getFloat32(o, true), write: (v, o, x) => v.setFloat32(o, x, true) },
  FP64: { size: 8, read: (v, o) => v.getFloat64(o, true), write: (v, o, x) => v.setFloat64(o, x, true) },
};

/**
 * Elements of a binary tensor (little-endian, row-major; BYTES as 4-byte length + bytes).
 * 64-bit integers must fit a JS number exactly: the job pipeline carries numbers.
 */
export function decodeBinary(name: string, datatype: OipDatatype, buf: Buffer, count: number): Element[] {
  if (datatype === 'BYTES') return decodeBytes(name, buf, count);
  const { size, read } = LAYOUT[datatype];
  if (buf.length !== count * size) {
    throw new OipError(400, `input '${name}': ${buf.length} bytes of binary data, but shape and ${datatype} need ${count * size}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Array<Element>(count);
  for (let i = 0; i < count; i++) {
    const v = read(view, i * size);
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new OipError(400, `input '${name}': element ${i} (${v}) is beyond ±2^53, which ModelMora cannot carry exactly`);
      }
      out[i] = Number(v);
    } else out[i] = datatype === 'BOOL' ? v !== 0 : v;
  }
  return out;
}

function decodeBytes(name: string, buf: Buffer, count: number): string[] {
  const out: string[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 4 > buf.length) throw new OipError(400, `input '${name}': truncated BYTES element length at byte ${offset}`);
    const len = buf.readUInt32LE(offset);
    if (offset + 4 + len > buf.length) throw new OipError(400, `input '${name}': BYTES element ${out.length} runs past the binary data`);
    out.push(buf.toString('utf8', offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  if (out.length !== count) throw new OipError(400, `input '${name}': ${out.length} BYTES elements, but the shape needs ${count}`);
  return out;
}

/** The binary form of output elements. */
export function encodeBinary(datatype: OipDatatype, data: readonly Element[]): Buffer {
  if (datatype === 'BYTES') {
    const parts = data.map((s) => Buffer.from(String(s), 'utf8'));
    const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.writeUInt32LE(p.length, offset);
      p.copy(out, offset + 4);
      offset += 4 + p.length;
    }
    return out;
  }
  const { size, write } = LAYOUT[datatype];
  const out = Buffer.alloc(data.length * size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) write(view, i * size, Number(data[i]));
  return out;
}
