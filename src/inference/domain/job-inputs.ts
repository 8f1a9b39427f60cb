import { shapeProblem, type DeclaredDim } from '../../shared/tensors/tensor-shape.js';
import { ELEMENT_BYTES, isTensorType, TENSOR_TYPES } from '../../shared/tensors/tensor-types.js';
import { InvalidInputError } from './inference-queue.errors.js';

/** A model input as its loaded worker declared it. */
export interface DeclaredInput {
  name: string;
  dims: readonly DeclaredDim[];
}

/** Task types whose inputs are text: a string, or a non-empty list of strings. */
const TEXT_TASKS = new Set(['txt2embed', 'txt2txt', 'txt2img', 'txt2audio', 'classification']);

/**
 * Checks a request's `inputs` against its model's task type before anything is queued,
 * so a malformed request costs a 400, never a worker call (docs/architecture.md).
 */
export function validateInputs(taskType: string, inputs: unknown, declared?: readonly DeclaredInput[]): void {
  if (inputs === undefined || inputs === null) throw new InvalidInputError('inputs is required');
  if (taskType === 'tensor') validateTensors(inputs, declared);
  else if (TEXT_TASKS.has(taskType)) validateText(taskType, inputs);
  // Inputs are stored as JSONB with the job, in a group commit shared with other jobs:
  // PostgreSQL refuses \u0000 in JSONB text, and that must cost this request a 400,
  // not fail everyone's transaction.
  if (hasNul(inputs)) throw new InvalidInputError('inputs must not contain the NUL character (\\u0000)');
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasNul);
  return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
}

const isTextList = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');

function validateText(taskType: string, inputs: unknown): void {
  if (typeof inputs === 'string' || isTextList(inputs)) return;
  if (taskType === 'txt2embed' && isTextBatch(inputs)) return;
  const batch = taskType === 'txt2embed' ? ', or {"texts": [...], "truncate": false} to refuse texts over the model\'s limit' : '';
  throw new InvalidInputError(`a ${taskType} model takes "inputs" as a string or a non-empty array of strings${batch}`);
}

/** txt2embed's `{texts, truncate?}`: `truncate: false` asks for a refusal instead of a cut (as TEI's `truncate`). */
function isTextBatch(inputs: unknown): boolean {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return false;
  const { texts, truncate, ...rest } = inputs as Record<string, unknown>;
  return isTextList(texts) && (truncate === undefined || typeof truncate === 'boolean') && Object.keys(rest).length === 0;
}

function validateTensors(inputs: unknown, declared: readonly DeclaredInput[] | undefined): void {
  if (typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new InvalidInputError('a tensor model takes "inputs" as an object of named tensors {"<name>": {"dims": [...], "type"?: "float32", "data": [...]}}');
  }
  const entries = Object.entries(inputs as Record<string, unknown>);
  if (entries.length === 0) throw new InvalidInputError('inputs names no tensor');
  for (const [name, tensor] of entries) validateTensor(name, tensor, declared?.find((d) => d.name === name)?.dims);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `data_base64`: the elements' little-endian bytes (binary clients); its size must fit dims and type. */
function validatePacked(fail: (why: string) => void, type: unknown, packed: unknown, data: unknown, expected: number): void {
  if (data !== undefined) return fail('give data or data_base64, not both');
  const size = isTensorType(type) ? ELEMENT_BYTES[type] : undefined;
  if (size === undefined) return fail('data_base64 needs an explicit fixed-size type (not string)');
  if (typeof packed !== 'string' || packed.length % 4 !== 0 || !BASE64.test(packed)) return fail('data_base64 must be a base64 string');
  const bytes = (packed.length / 4) * 3 - (packed.endsWith('==') ? 2 : packed.endsWith('=') ? 1 : 0);
  if (bytes !== expected * size) fail(`data_base64 holds ${bytes} bytes, dims and ${type} need ${expected * size}`);
}

function validateTensor(name: string, tensor: unknown, declared: readonly DeclaredDim[] | undefined): void {
  const fail = (why: string) => {
    throw new InvalidInputError(`input "${name}": ${why}`, { input: name });
  };
  if (typeof tensor !== 'object' || tensor === null || Array.isArray(tensor)) return fail('expected {dims, type?, data}');
  const { dims, type, data } = tensor as { dims?: unknown; type?: unknown; data?: unknown };
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    return fail('dims must be an array of non-negative integers');
  }
  const misfit = shapeProblem(dims as number[], declared);
  if (misfit) return fail(misfit);
  if (type !== undefined && !isTensorType(type)) {
    return fail(`type ${JSON.stringify(type)} is not one of ${TENSOR_TYPES.join(', ')}`);
  }
  const expected = (dims as number[]).reduce((n, d) => n * d, 1);
  const packed = (tensor as { data_base64?: unknown }).data_base64;
  if (packed !== undefined) return validatePacked(fail, type, packed, data, expected);
  if (!Array.isArray(data)) return fail('data must be a flat array');
  if (data.length !== expected) return fail(`dims [${(dims as number[]).join(', ')}] need ${expected} values, data has ${data.length}`);
  const isText = type === 'string';
  for (const v of data) {
    if (isText ? typeof v !== 'string' : typeof v !== 'number' && typeof v !== 'boolean') {
      return fail(isText ? 'a string tensor holds a value that is not a string' : 'data holds a value that is neither a number nor a boolean');
    }
  }
}
