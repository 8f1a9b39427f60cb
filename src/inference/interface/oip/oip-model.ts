import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import { LoadModelCommand } from '../../../lifecycle/contracts.js';
import { ModelDetailsQuery } from '../../../registry/contracts.js';
import { OipError } from './oip-error.js';

/** A model input or output as the lifecycle reports it (ONNX type names, symbolic dims as strings). */
export interface IoTensor {
  name: string;
  type: string;
  dims: Array<number | string>;
}

/** What the OIP endpoints need to know of one model. */
export interface OipModel {
  modelId: string;
  taskType: string;
  versions: string[];
  latestVersion: string;
  state: string;
  /** The version the lifecycle loaded last (running or not). */
  loadedVersion: string | null;
  io: { inputs: IoTensor[]; outputs: IoTensor[] } | null;
}

interface Details {
  model_id: string;
  task_type: string;
  latest_version: string;
  versions: Array<{ version: string }>;
  lifecycle?: { state?: string; version?: string | null };
  io?: { inputs: IoTensor[]; outputs: IoTensor[] } | null;
}

const OIP_TASK_TYPES = ['tensor', 'txt2embed'];

/** The model's registry and lifecycle details, through the public ModelDetailsQuery (404 when unknown). */
export async function findOipModel(queries: QueryBus, modelId: string, version?: string): Promise<OipModel> {
  const d = (await queries.execute(new ModelDetailsQuery(modelId))) as unknown as Details;
  const model: OipModel = {
    modelId: d.model_id,
    taskType: d.task_type,
    versions: d.versions.map((v) => v.version),
    latestVersion: d.latest_version,
    state: d.lifecycle?.state ?? 'unloaded',
    loadedVersion: d.lifecycle?.version ?? null,
    io: d.io ?? null,
  };
  if (version !== undefined && !model.versions.includes(version)) {
    throw new OipError(404, `model '${modelId}' has no version '${version}' (versions: ${model.versions.join(', ')})`);
  }
  return model;
}

/**
 * Inputs and outputs are known once a worker has loaded the model (they outlive unloads).
 * A model never loaded is loaded now, as its first job would have been anyway.
 */
export async function withIo(commands: CommandBus, model: OipModel): Promise<OipModel & { io: NonNullable<OipModel['io']> }> {
  if (model.io) return model as OipModel & { io: NonNullable<OipModel['io']> };
  const loaded = await commands.execute(new LoadModelCommand(model.modelId));
  if (!loaded.io) throw new OipError(503, `model '${model.modelId}' loaded without input/output metadata`);
  return { ...model, state: loaded.state, loadedVersion: loaded.version, io: loaded.io };
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
