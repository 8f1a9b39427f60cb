import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import type { ModelMoraOptionsInput } from '../../../src/shared/config/modelmora-options.js';
import type { Clock } from '../../../src/shared/domain/ports.js';
import type { Backend } from '../../support/databases.js';
import { testStorage, type TestStorage } from '../../support/test-app.js';
import { writeMatMulModel } from '../../support/tiny-models.js';
import { registerTensorModel, startInferenceApp } from './inference-app.js';
import { TinyRuntime } from './tiny-runtime.js';

export interface TinyModelApp {
  app: INestApplication;
  runtime: TinyRuntime;
  storage: TestStorage;
  close(): Promise<void>;
}

/** Given one registered tiny MatMul model `modelId`, served by a TinyRuntime on `backend`: where most inference tests start. */
export async function startTinyModelApp(backend: Backend, modelId: string, options: ModelMoraOptionsInput = {}, clock?: Clock): Promise<TinyModelApp> {
  const storage = await testStorage(backend);
  const runtime = new TinyRuntime();
  let app: INestApplication | undefined;
  const close = async () => {
    runtime.open();
    await app?.close();
    await runtime.stopAll();
    await storage.cleanup();
  };
  try {
    const dir = join(storage.options.modelDir!, 'matmul');
    writeMatMulModel(dir);
    app = await startInferenceApp(storage, runtime, options, clock);
    runtime.define(modelId, dir);
    await registerTensorModel(app, modelId);
    return { app, runtime, storage, close };
  } catch (err) {
    await close();
    throw err;
  }
}
