import type { QueryBus } from '@nestjs/cqrs';
import type { ModelIo, ModelServingPort } from '../../../lifecycle/contracts.js';
import { GetModelQuery } from '../../../registry/contracts.js';
import { OipError } from './oip-error.js';

/** A model input or output as the lifecycle reports it (ONNX type names, symbolic dims as strings). */
export type IoTensor = ModelIo['inputs'][number];

/** What the OIP endpoints need to know of one model. */
export interface OipModel {
  modelId: string;
  taskType: string;
  versions: string[];
  latestVersion: string;
  state: string;
  /** The version the lifecycle loaded last (running or not). */
  loadedVersion: string | null;
  io: ModelIo | null;
}

export type OipModelWithIo = OipModel & { io: ModelIo };

const OIP_TASK_TYPES = ['tensor', 'txt2embed'];

/** The registry's view of the model and what the lifecycle recorded of it (404 when unknown). */
export async function findOipModel(queries: QueryBus, serving: ModelServingPort, modelId: string, version?: string): Promise<OipModel> {
  const m = await queries.execute(new GetModelQuery(modelId));
  const served = serving.describe(modelId);
  const model: OipModel = {
    modelId: m.model_id,
    taskType: m.task_type,
    versions: m.versions.map((v) => v.version),
    latestVersion: m.latest_version,
    state: served.state,
    loadedVersion: served.version,
    io: served.io,
  };
  if (version !== undefined && !model.versions.includes(version)) {
    throw new OipError(404, `model '${modelId}' has no version '${version}' (versions: ${model.versions.join(', ')})`);
  }
  return model;
}

/**
 * Metadata is a safe method: it answers from what the lifecycle recorded and never starts a
 * worker. A txt2embed model is texts in, embeddings out before its width is known; a tensor
 * model never loaded has no known inputs yet: 503.
 */
export function withRecordedIo(model: OipModel): OipModelWithIo {
  if (model.io) return model as OipModelWithIo;
  if (model.taskType === 'txt2embed') return { ...model, io: { inputs: [], outputs: [] } };
  throw new OipError(503, `model '${model.modelId}' has not been loaded yet, so its inputs and outputs are not known; infer or load it first (POST /api/v1/models/{id}/load)`);
}

/** Inference may load the model: through the serving port's lazy-load door, which a crash loop keeps shut. */
export async function withIo(serving: ModelServingPort, model: OipModel): Promise<OipModelWithIo> {
  if (model.io) return model as OipModelWithIo;
  const served = await serving.ensureLoaded(model.modelId);
  if (!served.io) throw new OipError(503, `model '${model.modelId}' loaded without input/output metadata`);
  return { ...model, state: served.state, loadedVersion: served.version, io: served.io };
}

/** The version a job would run on: the loaded one, else the latest (what a lazy load picks). */
export function servingVersion(model: OipModel): string {
  return model.state === 'loaded' || model.state === 'unhealthy' ? (model.loadedVersion ?? model.latestVersion) : model.latestVersion;
}

export function assertServable(model: OipModel, version: string | undefined): void {
  if (!OIP_TASK_TYPES.includes(model.taskType)) {
    throw new OipError(400, `model '${model.modelId}' is a ${model.taskType} model; the OIP endpoints serve tensor and txt2embed models`);
  }
  const serving = servingVersion(model);
  if (version !== undefined && version !== serving) {
    throw new OipError(400, `model '${model.modelId}' serves version '${serving}'; load '${version}' first (POST /api/v1/models/{id}/load {"version": "${version}"})`);
  }
}
