import { floatToHalf } from '../../../shared/tensors/float16.js';
import { ELEMENT_BYTES, type TensorType } from '../../../shared/tensors/tensor-types.js';
import { OipError } from './oip-error.js';

/** OIP datatypes and the worker's tensor types: every one onnxruntime-node runs (BF16 it does not). */
export const OIP_TO_TENSOR = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
} as const satisfies Record<string, TensorType>;
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

/** Bytes per element of the fixed-size datatypes (BYTES elements carry their own length). */
export function elementSize(datatype: Exclude<OipDatatype, 'BYTES'>): number {
  return ELEMENT_BYTES[OIP_TO_TENSOR[datatype]]!;
}

/** BYTES binary data: each element a 4-byte little-endian length, then its bytes (UTF-8 text here). */
export function decodeBytes(name: string, buf: Buffer, count: number): string[] {
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

type Packer = (data: readonly Element[]) => ArrayBufferView;
const num = (v: Element) => Number(v);
const PACK: Record<Exclude<OipDatatype, 'BYTES'>, Packer> = {
  BOOL: (d) => Uint8Array.from(d, (v) => (v ? 1 : 0)),
  UINT8: (d) => Uint8Array.from(d, num),
  INT8: (d) => Int8Array.from(d, num),
  UINT16: (d) => Uint16Array.from(d, num),
  INT16: (d) => Int16Array.from(d, num),
  FP16: (d) => Uint16Array.from(d, (v) => floatToHalf(Number(v))),
  UINT32: (d) => Uint32Array.from(d, num),
  INT32: (d) => Int32Array.from(d, num),
  FP32: (d) => Float32Array.from(d, num),
  UINT64: (d) => BigUint64Array.from(d, (v) => BigInt(v)),
  INT64: (d) => BigInt64Array.from(d, (v) => BigInt(v)),
  FP64: (d) => Float64Array.from(d, num),
};

/** The binary form of output elements (little-endian, as on every platform Node runs ONNX on). */
export function encodeBinary(datatype: OipDatatype, data: readonly Element[]): Buffer {
  if (datatype !== 'BYTES') {
    const view = PACK[datatype](data);
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
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
