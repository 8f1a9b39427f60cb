import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ModelMoraModule } from '../../src/index.js';
import { hostHttpAdapter, readyForRequests } from '../support/http-adapter.js';
import { testStorage, type TestStorage } from '../support/test-app.js';

@Controller('host')
class HostController {
  @Post('echo')
  echo() {
    return { ok: true };
  }
}

async function hostApp(storage: TestStorage, httpEdge?: boolean | { allowedOrigins: string[] }): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ModelMoraModule.forRoot({ ...storage.options, httpEdge })],
    controllers: [HostController],
  }).compile();
  const app = moduleRef.createNestApplication(await hostHttpAdapter());
  await app.init();
  return readyForRequests(app);
}

/**
 * Issue 19 item 2: a host app that embeds the module decides. Without the option nothing of the
 * standalone server's edge is installed; with it, ModelMora's routes refuse foreign writes while
 * the host's own routes stay the host's.
 */
describe('the HTTP edge as a forRoot option of a host app', () => {
  let storage: TestStorage;
  let storage2: TestStorage;
  let plain: INestApplication;
  let guarded: INestApplication;
  const foreign = { origin: 'https://evil.example', 'content-type': 'application/json' };

  beforeAll(async () => {
    storage = await testStorage('pglite');
    storage2 = await testStorage('pglite');
    plain = await hostApp(storage);
    guarded = await hostApp(storage2, { allowedOrigins: ['https://app.example.com'] });
  }, 60_000);
  afterAll(async () => {
    await plain?.close();
    await guarded?.close();
    await storage?.cleanup();
    await storage2?.cleanup();
  });

  it('leaves a host app without the option as it was: no Origin check, no headers added', async () => {
    const res = await request(plain.getHttpServer()).post('/api/v1/models').set(foreign).send({ model_id: 'host/plain', task_type: 'tensor' });
    expect(res.status).toBe(201);
    expect(res.headers['x-content-type-options']).toBeUndefined();
  });

  it("refuses a foreign Origin's write on ModelMora's routes only, and serves an allowed one with CORS", async () => {
    const refused = await request(guarded.getHttpServer()).post('/api/v1/models').set(foreign).send({ model_id: 'host/refused', task_type: 'tensor' });
    expect([refused.status, refused.body.error_code]).toEqual([403, 'FORBIDDEN_ORIGIN']);
    const oip = await request(guarded.getHttpServer()).post('/v2/models/host~refused/infer').set({ origin: 'https://evil.example' }).send('{}');
    expect([oip.status, oip.body]).toEqual([403, { error: expect.stringContaining('not allowed') }]);
    const hosts = await request(guarded.getHttpServer()).post('/host/echo').set(foreign).send({});
    expect(hosts.status).toBe(201);
    const allowed = await request(guarded.getHttpServer()).post('/api/v1/models').set({ ...foreign, origin: 'https://app.example.com' }).send({ model_id: 'host/allowed', task_type: 'tensor' });
    expect([allowed.status, allowed.headers['access-control-allow-origin']]).toEqual([201, 'https://app.example.com']);
    expect(allowed.headers['x-content-type-options']).toBeUndefined(); // security headers stay the host's call
  });
});
