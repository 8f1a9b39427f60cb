import { oipDatatypeOf } from './oip-datatypes.js';
import type { IoTensor, OipModelWithIo } from './oip-model.js';

export interface OipTensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** txt2embed models speak OIP as one BYTES input of texts and one FP32 output of embeddings. */
const TEXT_INPUT = 'text';
export const EMBEDDINGS_OUTPUT = 'embeddings';

const shapeOf = (dims: IoTensor['dims']): number[] => dims.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));

function tensorMeta(t: IoTensor): OipTensorMetadata {
  return { name: t.name, datatype: oipDatatypeOf(t.type), shape: shapeOf(t.dims) };
}

/** The OIP view of a model's inputs and outputs (dynamic dims as -1). */
export function oipIo(model: OipModelWithIo): { inputs: OipTensorMetadata[]; outputs: OipTensorMetadata[] } {
  if (model.taskType !== 'txt2embed') return { inputs: model.io.inputs.map(tensorMeta), outputs: model.io.outputs.map(tensorMeta) };
  // Embeddings are pooled over the sequence: [texts, hidden], hidden being the encoder's last dim.
  const hidden = model.io.outputs[0]?.dims.at(-1);
  return {
    inputs: [{ name: TEXT_INPUT, datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: EMBEDDINGS_OUTPUT, datatype: 'FP32', shape: [-1, typeof hidden === 'number' && hidden >= 0 ? hidden : -1] }],
  };
}

export function modelMetadata(model: OipModelWithIo) {
  return { name: model.modelId, versions: model.versions, platform: 'onnxruntime_onnx', ...oipIo(model) };
}
