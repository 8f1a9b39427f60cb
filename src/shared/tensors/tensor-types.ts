/**
 * The tensor element types ModelMora takes and returns: every type onnxruntime-node 1.30 runs
 * (checked with Identity graphs). Requests are checked against this list before they queue,
 * and workers feed the same list to ONNX Runtime: one vocabulary for both contexts.
 */
export const TENSOR_TYPES = [
  'float32', 'float64', 'float16', 'int8', 'int16', 'int32', 'int64',
  'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string',
] as const;
export type TensorType = (typeof TENSOR_TYPES)[number];

export function isTensorType(value: unknown): value is TensorType {
  return typeof value === 'string' && (TENSOR_TYPES as readonly string[]).includes(value);
}

/** Bytes per element of each fixed-size type (`string` has none: it cannot be packed). */
export const ELEMENT_BYTES: Readonly<Partial<Record<TensorType, number>>> = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, float16: 2, int32: 4, uint32: 4, float32: 4,
  int64: 8, uint64: 8, float64: 8,
};
