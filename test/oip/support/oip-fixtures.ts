/**
 * OIP test fixtures written without the server's code: a multi-type Identity model, the
 * binary tensor wire format (encode requests, decode responses), and the spec's schemas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { optionalResource } from '../../support/optional-resource.js';
import { writeOnnxModel } from '../../support/tiny-models.js';

/** ONNX element types by OIP datatype (onnx.proto's TensorProto.DataType). */
export const ONNX_ELEM: Record<string, number> = {
  FP32: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BYTES: 8, BOOL: 9, FP16: 10, FP64: 11, UINT32: 12, UINT64: 13,
};

/** One Identity per datatype: input `in_<dt>` [N] → output `out_<dt>` [N]. */
export function writeTypedIdentityModel(dir: string): string {
  const vi = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'N' }] } } } });
  const types = Object.entries(ONNX_ELEM);
  return writeOnnxModel(dir, {
    name: 'typed-identity',
    node: types.map(([dt]) => ({ opType: 'Identity', input: [`in_${dt}`], output: [`out_${dt}`] })),
    input: types.map(([dt, e]) => vi(`in_${dt}`, e)),
    output: types.map(([dt, e]) => vi(`out_${dt}`, e)),
  });
}

type Element = number | boolean | string;
const WIDTH: Record<string, number> = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 };

/** Little-endian bytes of one tensor (BYTES: 4-byte length + UTF-8); FP16 values given as raw half bits. */
export function tensorBytes(datatype: string, values: readonly Element[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(values.map((s) => {
      const b = Buffer.from(String(s));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return Buffer.concat([len, b]);
    }));
  }
  const w = WIDTH[datatype]!;
  const buf = Buffer.alloc(values.length * w);
  values.forEach((v, i) => {
    const o = i * w;
    const n = Number(v);
    switch (datatype) {
      case 'BOOL': buf.writeUInt8(v ? 1 : 0, o); break;
      case 'UINT8': buf.writeUInt8(n, o); break;
      case 'INT8': buf.writeInt8(n, o); break;
      case 'UINT16': case 'FP16': buf.writeUInt16LE(n, o); break;
      case 'INT16': buf.writeInt16LE(n, o); break;
      case 'UINT32': buf.writeUInt32LE(n, o); break;
      case 'INT32': buf.writeInt32LE(n, o); break;
      case 'FP32': buf.writeFloatLE(n, o); break;
      case 'FP64': buf.writeDoubleLE(n, o); break;
      case 'UINT64': buf.writeBigUInt64LE(BigInt(n), o); break;
      case 'INT64': buf.writeBigInt64LE(BigInt(n), o); break;
    }
  });
  return buf;
}

/** Reads tensor bytes back (FP16 as raw half bits, 64-bit integers as numbers). */
export function readTensorBytes(datatype: string, buf: Buffer): Element[] {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    for (let o = 0; o < buf.length;) {
      const len = buf.readUInt32LE(o);
      out.push(buf.toString('utf8', o + 4, o + 4 + len));
      o += 4 + len;
    }
    return out;
  }
  const w = WIDTH[datatype]!;
  return Array.from({ length: buf.length / w }, (_, i): Element => {
    const o = i * w;
    switch (datatype) {
      case 'BOOL': return buf.readUInt8(o) !== 0;
      case 'UINT8': return buf.readUInt8(o);
      case 'INT8': return buf.readInt8(o);
      case 'UINT16': case 'FP16': return buf.readUInt16LE(o);
      case 'INT16': return buf.readInt16LE(o);
      case 'UINT32': return buf.readUInt32LE(o);
      case 'INT32': return buf.readInt32LE(o);
      case 'FP32': return buf.readFloatLE(o);
      case 'FP64': return buf.readDoubleLE(o);
      case 'UINT64': return Number(buf.readBigUInt64LE(o));
      default: return Number(buf.readBigInt64LE(o));
    }
  });
}

export interface BinaryInput {
  name: string;
  shape: number[];
  datatype: string;
  values: readonly Element[];
}

/** A request as tritonclient builds it: JSON header, then each input's bytes; the header length in a header. */
export function binaryRequest(header: Record<string, unknown>, inputs: BinaryInput[]): { body: Buffer; headerLength: number } {
  const chunks = inputs.map((i) => tensorBytes(i.datatype, i.values));
  const json = {
    ...header,
    inputs: inputs.map((i, k) => ({ name: i.name, shape: i.shape, datatype: i.datatype, parameters: { binary_data_size: chunks[k]!.length } })),
  };
  const head = Buffer.from(JSON.stringify(json));
  return { body: Buffer.concat([head, ...chunks]), headerLength: head.length };
}

export interface DecodedResponse {
  header: { outputs: Array<{ name: string; datatype: string; shape: number[]; data?: Element[]; parameters?: { binary_data_size?: number } }> } & Record<string, unknown>;
  /** Every output's elements, whether it came as JSON data or binary. */
  values: Record<string, Element[]>;
}

/** Splits a response at Inference-Header-Content-Length and reads binary outputs in order. */
export function decodeResponse(body: Buffer, headerLength: string | null): DecodedResponse {
  const end = headerLength === null ? body.length : Number(headerLength);
  const header = JSON.parse(body.toString('utf8', 0, end)) as DecodedResponse['header'];
  const values: Record<string, Element[]> = {};
  let offset = end;
  for (const out of header.outputs) {
    const size = out.parameters?.binary_data_size;
    if (size === undefined) {
      values[out.name] = out.data!;
      continue;
    }
    values[out.name] = readTensorBytes(out.datatype, body.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== body.length) throw new Error(`${body.length - offset} bytes left after the outputs`);
  return { header, values };
}

/**
 * Validators for the components of open_inference_rest.yaml (and the binary extension's header),
 * from OIP_SPEC (CI points it at the spec beside the repository; the project ships no copy).
 * Undefined without it: the schema checks are skipped, the reason goes to the run's summary.
 */
export function specValidators(specPath = process.env.OIP_SPEC): ((name: string) => ValidateFunction) | undefined {
  const reason = specPath ? `OIP_SPEC=${specPath} does not exist: the OIP responses are not checked against the spec's schemas` : "OIP_SPEC is not set: the OIP responses are not checked against the spec's schemas (point it at open_inference_rest.yaml)";
  const spec = specPath && existsSync(specPath) ? specPath : undefined;
  if (!optionalResource('oip-spec', spec !== undefined, reason) || !spec) return undefined;
  const doc = parse(readFileSync(spec, 'utf8')) as { components: { schemas: Record<string, Record<string, unknown>> } };
  const schemas = doc.components.schemas;
  // The binary extension replaces an output's `data` with parameters.binary_data_size.
  const binaryOutput = { ...schemas.response_output, required: ['name', 'shape', 'datatype'] };
  const binaryResponse = structuredClone(schemas.inference_response) as { properties: { outputs: { items: unknown } } };
  binaryResponse.properties.outputs.items = { $ref: '#/components/schemas/binary_response_output' };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'oip', components: { schemas: { ...schemas, binary_response_output: binaryOutput, binary_inference_response: binaryResponse } } });
  return (name) => ajv.getSchema(`oip#/components/schemas/${name}`)!;
}
