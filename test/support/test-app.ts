import type { INestApplication } from '@nestjs/common';
import { createServer } from '../../src/bootstrap.js';
import type { ModelMoraOptionsInput } from '../../src/shared/config/modelmora-options.js';
import type { TestStorage } from './databases.js';
import { readyForRequests, testHttpAdapter } from './http-adapter.js';

export { testStorage, type TestStorage } from './databases.js';
export { readyForRequests, testHttpAdapter } from './http-adapter.js';

/** The standalone server's app (same adapter, filters, pipes, OpenAPI), initialised but not listening. */
export async function startTestApp(storage: TestStorage, options: ModelMoraOptionsInput = {}): Promise<INestApplication> {
  const app = await createServer({ ...storage.options, ...options }, 'warn', testHttpAdapter());
  await app.init();
  return readyForRequests(app);
}
