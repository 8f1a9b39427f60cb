import { floatToHalf, halfToFloat } from '../../../../shared/tensors/float16.js';
import { shapeProblem } from '../../../../shared/tensors/tensor-shape.js';
import { ELEMENT_BYTES, isTensorType, TENSOR_TYPES, type TensorType } from '../../../../shared/tensors/tensor-types.js';
import type { TensorJson, ValueInfo } from '../worker-protocol.js';
import { elementCount } from './dims.js';
import { unpackBase64, type PackedData } from './packed-tensor.js';
import { OrtTensorCtor, type OrtTensor } from './onnx-session.js';
import { RuntimeError } from './runtime-error.js';

/** A tensor whose type, dims and data have been checked against a model input. */
export interface CheckedTensor {
  dims: number[];
  type: TensorType;
  /** JSON elements, or a typed array when the tensor came packed (`data_base64`). */
  data: Array<number | boolean | string> | PackedData;
}

const INT_RANGES: Partial<Record<TensorType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

function invalid(message: string): RuntimeError {
  return new RuntimeError('INVALID_INPUT', message);
}

function checkDims(name: string, dims: unknown, spec: ValueInfo): number[] {
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw invalid(`input '${name}': dims must be an array of non-negative integers`);
  }
  const misfit = shapeProblem(dims as number[], spec.dims);
  if (misfit) throw invalid(`input '${name}': ${misfit}`);
  return dims as number[];
}

function checkData(name: string, type: TensorType, data: unknown, expected: number): CheckedTensor['data'] {
  if (!Array.isArray(data)) throw invalid(`input '${name}': data must be a flat array`);
  if (data.length !== expected) {
    throw invalid(`input '${name}': data has ${data.length} elements but dims need ${expected}`);
  }
  const range = INT_RANGES[type];
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (type === 'bool') {
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw invalid(`input '${name}': data[${i}] is not a bool`);
    } else if (type === 'string') {
      if (typeof v !== 'string') throw invalid(`input '${name}': data[${i}] is not a string`);
    } else if (typeof v !== 'number') {
      throw invalid(`input '${name}': data[${i}] is not a number`);
    } else if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
      throw invalid(`input '${name}': data[${i}] = ${v} is not a valid ${type}`);
    }
  }
  return data as CheckedTensor['data'];
}

/** Validates one named tensor of a request against the model's declared input. */
export function checkTensor(name: string, raw: unknown, spec: ValueInfo): CheckedTensor {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`input '${name}' must be an object {dims, type?, data}`);
  }
  const tensor = raw as Partial<Record<keyof TensorJson, unknown>>;
  if (!isTensorType(spec.type)) {
    throw invalid(`input '${name}' has model type ${spec.type}, which cannot be fed as JSON`);
  }
  // Omitting `type` means "the model's type" (float32 in the common case, per DESIGN §7).
  const type = tensor.type ?? spec.type;
  if (!isTensorType(type)) {
    throw invalid(`input '${name}': unsupported type ${String(type)} (supported: ${TENSOR_TYPES.join(', ')})`);
  }
  if (type !== spec.type) throw invalid(`input '${name}': model expects type ${spec.type}, got ${type}`);
  const dims = checkDims(name, tensor.dims, spec);
  if (typeof tensor.data_base64 === 'string') {
    if (tensor.data !== undefined) throw invalid(`input '${name}': give data or data_base64, not both`);
    return { dims, type, data: unpackBase64(name, type, tensor.data_base64, elementCount(dims)) };
  }
  const data = checkData(name, type, tensor.data, elementCount(dims));
  return { dims, type, data };
}

export function toOrtTensor(t: CheckedTensor): OrtTensor {
  const d = t.data as number[];
  const packed = ArrayBuffer.isView(t.data) && t.type !== 'bool' && t.type !== 'float16';
  if (packed) return new OrtTensorCtor(t.type, t.data as never, t.dims); // already the type's typed array
  switch (t.type) {
    case 'float32':
      return new OrtTensorCtor('float32', Float32Array.from(d), t.dims);
    case 'float64':
      return new OrtTensorCtor('float64', Float64Array.from(d), t.dims);
    case 'float16':
      return new OrtTensorCtor('float16', Uint16Array.from(d, floatToHalf), t.dims);
    case 'int8':
      return new OrtTensorCtor('int8', Int8Array.from(d), t.dims);
    case 'int16':
      return new OrtTensorCtor('int16', Int16Array.from(d), t.dims);
    case 'int32':
      return new OrtTensorCtor('int32', Int32Array.from(d), t.dims);
    case 'int64':
      return new OrtTensorCtor('int64', BigInt64Array.from(d, (v) => BigInt(v)), t.dims);
    case 'uint8':
      return new OrtTensorCtor('uint8', Uint8Array.from(d), t.dims);
    case 'uint16':
      return new OrtTensorCtor('uint16', Uint16Array.from(d), t.dims);
    case 'uint32':
      return new OrtTensorCtor('uint32', Uint32Array.from(d), t.dims);
    case 'uint64':
      return new OrtTensorCtor('uint64', BigUint64Array.from(d, (v) => BigInt(v)), t.dims);
    case 'bool':
      return new OrtTensorCtor('bool', Uint8Array.from(t.data as ArrayLike<unknown>, (v) => (v ? 1 : 0)), t.dims);
    case 'string':
      return new OrtTensorCtor('string', t.data as string[], t.dims);
  }
}

/** Output tensors in JSON form: 64-bit integers become numbers, bool booleans, float16 the numbers it stands for. */
export function fromOrtTensor(t: OrtTensor): TensorJson {
  const dims = [...t.dims];
  const type = t.type;
  if (!isTensorType(type)) {
    throw new RuntimeError('INFERENCE_FAILED', `output type ${type} cannot be returned as JSON`);
  }
  if (type === 'string') return { dims, type, data: [...(t.data as string[])] };
  const raw = t.data as ArrayLike<number | bigint>;
  if (type === 'bool') return { dims, type, data: Array.from(raw, (v) => v !== 0) };
  if (type === 'float16') return { dims, type, data: Array.from(raw, (v) => halfToFloat(Number(v))) };
  return { dims, type, data: Array.from(raw, (v) => Number(v)) };
}

/**
 * The bytes a tensor takes in binary form, what OIP's binary extension would send: elements ×
 * element size, and for strings each one's UTF-8 length plus its 4-byte length prefix (BYTES).
 */
export function tensorByteLength(t: Pick<TensorJson, 'type' | 'data'>): number {
  const data = t.data as ArrayLike<unknown> | undefined;
  if (!data) return 0;
  if (t.type !== 'string') return data.length * (ELEMENT_BYTES[t.type ?? 'float32'] ?? 8);
  let bytes = 0;
  for (let i = 0; i < data.length; i++) bytes += 4 + Buffer.byteLength(String(data[i]), 'utf8');
  return bytes;
}
