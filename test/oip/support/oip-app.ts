import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { fileChecksum, folderChecksum } from '../../../src/lifecycle/infrastructure/model-files/index.js';
import type { ModelMoraOptionsInput } from '../../../src/shared/config/modelmora-options.js';
import { startTestApp, type TestStorage } from '../../support/test-app.js';

/** The standalone app listening on a free port: real clients (fetch, openai) need a URL. */
export async function startListeningApp(storage: TestStorage, options: ModelMoraOptionsInput = {}): Promise<{ app: INestApplication; baseUrl: string }> {
  const app = await startTestApp(storage, options);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** Registers a model from a local file or Hugging Face style folder, as an operator would. */
export async function registerModel(baseUrl: string, modelId: string, taskType: string, path: string, folder = false, token?: string): Promise<void> {
  const checksum = folder ? await folderChecksum(path) : await fileChecksum(path);
  const res = await fetch(`${baseUrl}/api/v1/models`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ model_id: modelId, task_type: taskType, source_url: pathToFileURL(path).href, checksum }),
  });
  if (res.status !== 201) throw new Error(`registering ${modelId}: ${res.status} ${await res.text()}`);
}
