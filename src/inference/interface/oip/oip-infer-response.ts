import type { EmbeddingOutput, TensorMap } from '../../../lifecycle/contracts.js';
import { encodeBinary, isOipDatatype, oipDatatypeOf, type Element } from './oip-datatypes.js';
import { OipError } from './oip-error.js';
import type { OipInferRequest } from './oip-infer-request.js';
import { EMBEDDINGS_OUTPUT } from './oip-metadata.js';

interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: Element[];
}

interface ResponseOutput {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: { binary_data_size: number };
  data?: Element[];
}

/** An OIP response: its JSON part, and the binary tensor data that follows it when any output is binary. */
export interface OipInferResponse {
  json: { model_name: string; model_version?: string; id?: string; parameters: Record<string, string | number>; outputs: ResponseOutput[] };
  binary: Buffer[];
}

/** A job's outputs as OIP tensors, in the model's order: named tensors, or a txt2embed's [texts, hidden] FP32. */
export function outputTensors(taskType: string, outputs: unknown): OutputTensor[] {
  if (taskType === 'txt2embed') {
    const { embeddings, dimensions } = outputs as EmbeddingOutput;
    return [{ name: EMBEDDINGS_OUTPUT, datatype: 'FP32', shape: [embeddings.length, dimensions], data: embeddings.flat() }];
  }
  return Object.entries(outputs as TensorMap).map(([name, t]) => ({ name, datatype: oipDatatypeOf(t.type ?? 'float32'), shape: t.dims, data: t.data }));
}

/** Which outputs go back and how: the requested ones (all when none named), binary when asked. */
export function plannedOutputs(req: OipInferRequest, available: ReadonlyArray<{ name: string; datatype: string }>): Array<{ name: string; binary: boolean }> {
  const wanted = req.outputs ?? available.map((o) => ({ name: o.name, binary: undefined }));
  return wanted.map((o) => {
    const binary = o.binary ?? req.binaryOutput;
    const datatype = available.find((a) => a.name === o.name)?.datatype;
    if (!binary && datatype === 'FP16') throw new OipError(400, `output '${o.name}' is FP16, which travels as binary data only: ask for parameters.binary_data`);
    return { name: o.name, binary };
  });
}

export function buildResponse(
  base: { model_name: string; model_version?: string; id?: string; job_id: string },
  tensors: OutputTensor[],
  plan: Array<{ name: string; binary: boolean }>,
): OipInferResponse {
  const binary: Buffer[] = [];
  const outputs = plan.map(({ name, binary: asBinary }): ResponseOutput => {
    const t = tensors.find((x) => x.name === name);
    if (!t) throw new OipError(500, `the model produced no output '${name}'`);
    if (!asBinary) return { name, datatype: t.datatype, shape: t.shape, data: t.data };
    if (!isOipDatatype(t.datatype)) throw new OipError(500, `output '${name}' has type ${t.datatype}, which has no binary form`);
    const bytes = encodeBinary(t.datatype, t.data);
    binary.push(bytes);
    return { name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: bytes.length } };
  });
  const { job_id, ...head } = base;
  const json = { ...head, parameters: { job_id }, outputs };
  if (json.id === undefined) delete json.id;
  if (json.model_version === undefined) delete json.model_version;
  return { json, binary };
}
