import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeMatMulModel } from '../../test/support/tiny-models.js';
import type { AppModules } from './app-modules.js';
import { expectStatus, type HttpClient } from './http-client.js';

/** The tiny MatMul model (y[N,2] = x[N,4]·W, dynamic batch dim) on disk, ready to register. */
export interface TinyModel {
  dir: string;
  path: string;
  sourceUrl: string;
  checksum: string;
  /** One request's `inputs`: x of dims [1, 4]. */
  inputs: { x: { dims: number[]; type: 'float32'; data: number[] } };
}

export async function writeTinyModel(app: AppModules, baseDir: string): Promise<TinyModel> {
  const dir = join(baseDir, 'tiny-matmul');
  const path = writeMatMulModel(dir);
  return {
    dir,
    path,
    sourceUrl: pathToFileURL(path).href,
    checksum: await app.modelFiles.fileChecksum(path),
    inputs: { x: { dims: [1, 4], type: 'float32', data: [1, 2, 3, 4] } },
  };
}

export async function registerModel(http: HttpClient, model: TinyModel, modelId: string): Promise<void> {
  const body = { model_id: modelId, task_type: 'tensor', source_url: model.sourceUrl, checksum: model.checksum };
  expectStatus(await http.post('/api/v1/models', body), 201, `register ${modelId}`);
}

export async function loadModel(http: HttpClient, modelId: string): Promise<void> {
  expectStatus(await http.post(`/api/v1/models/${encodeURIComponent(modelId)}/load`, {}), 200, `load ${modelId}`);
}

export async function unloadModel(http: HttpClient, modelId: string): Promise<void> {
  expectStatus(await http.post(`/api/v1/models/${encodeURIComponent(modelId)}/unload`, {}), 200, `unload ${modelId}`);
}

/** Fails clearly when this build has no inference context (Nest answers an unknown route with 404 "Cannot POST"). */
export async function requireInferenceApi(http: HttpClient): Promise<void> {
  const reply = await http.post('/api/v1/infer/bench%2Fno-such-model/async', { inputs: {} });
  if (reply.status === 404 && /Cannot POST/.test(JSON.stringify(reply.body))) {
    throw new Error('this build has no inference endpoints (POST /api/v1/infer/{model_id} answers "Cannot POST")');
  }
}
