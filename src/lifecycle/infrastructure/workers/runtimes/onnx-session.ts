import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { RuntimeOptions, ValueInfo } from '../worker-protocol.js';
import { normaliseDims } from './dims.js';
import { RuntimeError } from './runtime-error.js';

export type OrtSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export const OrtTensorCtor = ort.Tensor;

// Old opsets in real models make ORT print warnings on every load; errors still surface.
ort.env.logLevel = 'error';

/** The .onnx file to load: the path itself, the registration's `onnx_file`, a known candidate, or the folder's only one; several and no choice is an error. */
export function resolveModelFile(modelDir: string, candidates: readonly string[], chosen?: string): string {
  if (!existsSync(modelDir)) throw new RuntimeError('LOAD_FAILED', `model path ${modelDir} does not exist`);
  if (statSync(modelDir).isFile()) return modelDir;
  if (chosen !== undefined) {
    const path = join(modelDir, chosen);
    if (!existsSync(path)) throw new RuntimeError('LOAD_FAILED', `config.onnx_file names ${chosen}, which ${modelDir} does not hold (found ${onnxFilesIn(modelDir).join(', ') || 'no .onnx file'})`);
    return path;
  }
  for (const rel of candidates) {
    const path = join(modelDir, rel);
    if (existsSync(path)) return path;
  }
  const onnxFiles = onnxFilesIn(modelDir);
  if (onnxFiles.length === 1) return join(modelDir, onnxFiles[0]!);
  const found = onnxFiles.length === 0 ? 'none' : onnxFiles.join(', ');
  throw new RuntimeError(
    'LOAD_FAILED',
    `cannot pick an ONNX file in ${modelDir}: expected ${candidates.join(' or ')} or a single .onnx file (found ${found}); name one with config.onnx_file`,
  );
}

function onnxFilesIn(modelDir: string): string[] {
  const list = (rel: string) => {
    const dir = join(modelDir, rel);
    return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => (rel ? `${rel}/${f}` : f)) : [];
  };
  return [...list(''), ...list('onnx')];
}

/**
 * Whether the graph quantizes activations at run time (DynamicQuantizeLinear, as Optimum's
 * and onnxruntime's dynamic quantization emit): one scale for the whole input tensor, so a
 * row's output depends on the rows batched with it. Op types are plain strings in the file.
 */
export async function quantizesDynamically(modelPath: string): Promise<boolean> {
  return (await readFile(modelPath)).includes('DynamicQuantizeLinear');
}

export async function createSession(modelPath: string, options: RuntimeOptions): Promise<OrtSession> {
  const threads = options.intraOpNumThreads ?? 1;
  if (!Number.isInteger(threads) || threads < 0) {
    throw new RuntimeError('LOAD_FAILED', `intraOpNumThreads must be a non-negative integer, got ${threads}`);
  }
  try {
    return await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Pool threads that spin between runs burn the cores the server needs for HTTP and recording (docs/models.md, "cpu_threads").
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RuntimeError('LOAD_FAILED', `onnxruntime could not load ${modelPath}: ${reason}`);
  }
}

function toValueInfo(meta: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', dims: [] };
  return { name: meta.name, type: meta.type, dims: normaliseDims(meta.shape) };
}

export function sessionMetadata(session: OrtSession): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
  return {
    inputs: session.inputMetadata.map(toValueInfo),
    outputs: session.outputMetadata.map(toValueInfo),
  };
}
