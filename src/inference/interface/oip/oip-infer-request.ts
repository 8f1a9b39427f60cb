import { shapeProblem } from '../../../shared/tensors/tensor-shape.js';
import { assertDatatype, decodeBytes, elementSize, OIP_TO_TENSOR, type Element, type OipDatatype } from './oip-datatypes.js';
import { OipError } from './oip-error.js';
import type { OipTensorMetadata } from './oip-metadata.js';

/** One input after the JSON header and the binary data were read. */
export interface OipInput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  /** JSON data (flattened, row-major) and BYTES. */
  data?: Element[];
  /** Binary data of a fixed-size datatype, kept as bytes: it travels on as `data_base64`. */
  packed?: Buffer;
}

export interface RequestedOutput {
  name: string;
  /** `parameters.binary_data`; absent: the request's `binary_data_output`. */
  binary?: boolean;
}

export interface OipInferRequest {
  id?: string;
  inputs: OipInput[];
  /** Absent: every output of the model. */
  outputs?: RequestedOutput[];
  /** `binary_data_output`: outputs not named in `outputs` are returned binary. */
  binaryOutput: boolean;
  priority?: string;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string) => new OipError(400, message);

function parametersOf(where: string, value: unknown): Json {
  if (value === undefined) return {};
  if (!isObject(value)) throw bad(`${where}: parameters must be an object`);
  if ('shared_memory_region' in value) throw bad(`${where}: shared memory is not supported; send data or binary data`);
  return value;
}

/**
 * Triton's `priority` (1 is the highest level, 0 the default) or one of our names; Triton's
 * `timeout` in microseconds. Both land on the queue as the job's priority and deadline.
 */
const PRIORITY_BY_LEVEL = ['critical', 'high', 'normal', 'low'];
function priorityOf(value: unknown): string | undefined {
  if (value === undefined || value === 0) return undefined;
  if (typeof value === 'string') return value;
  if (Number.isSafeInteger(value) && (value as number) > 0) return PRIORITY_BY_LEVEL[Math.min(value as number, 4) - 1];
  throw bad(`parameters.priority must be 0 (default), 1 (highest) … 4+ (lowest), or low|normal|high|critical; got ${JSON.stringify(value)}`);
}

function timeoutOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw bad(`parameters.timeout (microseconds) must be a positive number, got ${JSON.stringify(value)}`);
  return Math.ceil(value / 1000);
}

function flatten(name: string, data: unknown): unknown[] {
  if (!Array.isArray(data)) throw bad(`input '${name}': data must be an array (flat or nested, row-major)`);
  return data.some(Array.isArray) ? (data as unknown[]).flat(Infinity) : data;
}

const KIND: Record<OipDatatype, 'boolean' | 'number' | 'string'> = Object.fromEntries(
  Object.keys(OIP_TO_TENSOR).map((t) => [t, t === 'BOOL' ? 'boolean' : t === 'BYTES' ? 'string' : 'number']),
) as Record<OipDatatype, 'boolean' | 'number' | 'string'>;

function checkElements(name: string, datatype: OipDatatype, data: unknown[]): Element[] {
  const kind = KIND[datatype];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const ok = typeof v === kind || (kind === 'boolean' && (v === 0 || v === 1));
    if (!ok) throw bad(`input '${name}': element ${i} (${JSON.stringify(v)}) is not a ${datatype} value`);
  }
  return data as Element[];
}

function parseInput(raw: unknown, index: number, binary: { buf: Buffer; offset: number }): OipInput {
  if (!isObject(raw)) throw bad(`inputs[${index}] must be an object {name, shape, datatype, data}`);
  const name = raw.name;
  if (typeof name !== 'string' || name.length === 0) throw bad(`inputs[${index}].name must be a non-empty string`);
  const shape = raw.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad(`input '${name}': shape must be an array of non-negative integers`);
  }
  const tooBig = shapeProblem(shape as number[]);
  if (tooBig) throw bad(`input '${name}': ${tooBig}`);
  const datatype = assertDatatype(name, raw.datatype);
  const count = (shape as number[]).reduce((n, d) => n * d, 1);
  const size = parametersOf(`input '${name}'`, raw.parameters).binary_data_size;
  const dims = shape as number[];
  if (size !== undefined) {
    if (raw.data !== undefined) throw bad(`input '${name}': give either data or parameters.binary_data_size, not both`);
    if (!Number.isSafeInteger(size) || (size as number) < 0) throw bad(`input '${name}': binary_data_size must be a non-negative integer`);
    const end = binary.offset + (size as number);
    if (end > binary.buf.length) throw bad(`input '${name}': binary_data_size ${size} runs past the ${binary.buf.length} bytes of binary data`);
    const bytes = binary.buf.subarray(binary.offset, end);
    binary.offset = end;
    if (datatype === 'BYTES') return { name, shape: dims, datatype, data: decodeBytes(name, bytes, count) };
    if (bytes.length !== count * elementSize(datatype)) {
      throw bad(`input '${name}': ${bytes.length} bytes of binary data, but shape [${dims.join(', ')}] and ${datatype} need ${count * elementSize(datatype)}`);
    }
    return { name, shape: dims, datatype, packed: bytes };
  }
  if (raw.data === undefined) throw bad(`input '${name}': data (or parameters.binary_data_size) is required`);
  if (datatype === 'FP16') throw bad(`input '${name}': FP16 travels as binary data only (parameters.binary_data_size)`);
  const data = checkElements(name, datatype, flatten(name, raw.data));
  if (data.length !== count) throw bad(`input '${name}': shape [${dims.join(', ')}] needs ${count} elements, data has ${data.length}`);
  return { name, shape: dims, datatype, data };
}

/** Each output at most once: every copy would be encoded again, on the main thread (a 4 MB request became 168 MB). */
function parseOutputs(raw: unknown): RequestedOutput[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw bad('outputs must be an array of {name, parameters?}');
  const seen = new Set<string>();
  return raw.map((o, i) => {
    if (!isObject(o) || typeof o.name !== 'string') throw bad(`outputs[${i}] must be an object with a string name`);
    if (seen.has(o.name)) throw bad(`output '${o.name}' is requested twice`);
    seen.add(o.name);
    const params = parametersOf(`output '${o.name}'`, o.parameters);
    if (params.classification !== undefined) throw bad(`output '${o.name}': the classification extension is not supported`);
    if (params.binary_data !== undefined && typeof params.binary_data !== 'boolean') throw bad(`output '${o.name}': binary_data must be a boolean`);
    return { name: o.name, binary: params.binary_data };
  });
}

/** Reads and checks an OIP inference request: JSON header plus binary tensor data in input order. */
export function parseInferRequest(header: unknown, binaryData: Buffer): OipInferRequest {
  if (!isObject(header)) throw bad('the request body must be a JSON object {id?, parameters?, inputs, outputs?}');
  if (header.id !== undefined && typeof header.id !== 'string') throw bad('id must be a string');
  if (!Array.isArray(header.inputs) || header.inputs.length === 0) throw bad('inputs must be a non-empty array of tensors');
  const binary = { buf: binaryData, offset: 0 };
  const inputs = header.inputs.map((raw, i) => parseInput(raw, i, binary));
  if (binary.offset !== binaryData.length) {
    throw bad(`${binaryData.length - binary.offset} bytes of binary data after the last input's binary_data_size`);
  }
  const names = new Set<string>();
  for (const { name } of inputs) {
    if (names.has(name)) throw bad(`input '${name}' is given twice`);
    names.add(name);
  }
  const params = parametersOf('request', header.parameters);
  return {
    id: header.id as string | undefined,
    inputs,
    outputs: parseOutputs(header.outputs),
    binaryOutput: params.binary_data_output === true,
    priority: priorityOf(params.priority),
    timeoutMs: timeoutOf(params.timeout),
  };
}

/** Inputs against the model's metadata: names, datatypes, rank and fixed dims. */
export function checkAgainstModel(req: OipInferRequest, io: { inputs: OipTensorMetadata[]; outputs: OipTensorMetadata[] }): void {
  const expected = io.inputs.map((i) => i.name);
  for (const input of req.inputs) {
    const spec = io.inputs.find((i) => i.name === input.name);
    if (!spec) throw bad(`unknown input '${input.name}'; the model's inputs are ${expected.join(', ')}`);
    if (spec.datatype !== input.datatype) throw bad(`input '${input.name}': the model takes ${spec.datatype}, got ${input.datatype}`);
    const misfit = shapeProblem(input.shape, spec.shape);
    if (misfit) throw bad(`input '${input.name}': ${misfit} (-1 is any size)`);
  }
  const missing = expected.filter((n) => !req.inputs.some((i) => i.name === n));
  if (missing.length > 0) throw bad(`missing input(s) ${missing.join(', ')}`);
  for (const out of req.outputs ?? []) {
    const spec = io.outputs.find((o) => o.name === out.name);
    if (!spec) throw bad(`unknown output '${out.name}'; the model's outputs are ${io.outputs.map((o) => o.name).join(', ')}`);
  }
}
