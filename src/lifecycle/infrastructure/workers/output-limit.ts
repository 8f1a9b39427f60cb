import { tensorByteLength } from './runtimes/tensor-codec.js';
import type { InferResult, InferenceOutput, TensorJson } from './worker-protocol.js';

/** Raw tensor bytes of one item's outputs, every datatype at its real length (strings too); embeddings as float32. */
function outputBytes(output: InferenceOutput): number {
  if ('embeddings' in output && Array.isArray(output.embeddings)) {
    return output.embeddings.reduce((sum, row) => sum + (row?.length ?? 0) * 4, 0);
  }
  let total = 0;
  for (const tensor of Object.values(output as Record<string, TensorJson>)) if (tensor) total += tensorByteLength(tensor);
  return total;
}

/**
 * Replaces each item whose output is over `maxBytes` by an OUTPUT_TOO_LARGE (422: the request
 * asked for more than the server gives, so retrying it cannot help) that says why,
 * in the worker, so an amplifying model (a dynamic output shape) never ships its result
 * through IPC, the result store and HTTP.
 */
export function limitOutputs(result: InferResult, maxBytes: number | undefined): InferResult {
  if (maxBytes === undefined) return result;
  let changed = false;
  const results = result.results.map((item) => {
    if (!item.ok) return item;
    const bytes = outputBytes(item.outputs);
    if (bytes <= maxBytes) return item;
    changed = true;
    return {
      ok: false as const,
      error: { code: 'OUTPUT_TOO_LARGE' as const, message: `the output is ${bytes} bytes, over the per-request limit of ${maxBytes} bytes (MODELMORA_MAX_OUTPUT_MB)` },
    };
  });
  return changed ? { ...result, results } : result;
}
