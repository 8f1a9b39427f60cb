import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { TcpProxy } from '../support/tcp-proxy.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { enc, eventsOf, eventually, http, registerTensorModel, row, startInferenceApp } from './support/inference-app.js';
import { TinyRuntime } from './support/tiny-runtime.js';
import { postgresAvailable } from '../support/databases.js';

// A real PostgreSQL behind a proxy the test controls (the pipeline's write-behind only matters there).
const describeWithPostgres = postgresAvailable() ? describe : describe.skip;
const BACKLOG = 30; // queue events: a sync job records three (submitted, started, completed)

describeWithPostgres('the job pipeline while the database is away (PostgreSQL behind a TCP proxy)', () => {
  let storage: TestStorage;
  let proxy: TcpProxy;
  let app: INestApplication;
  const runtime = new TinyRuntime();
  const modelId = 'tiny/outage';
  const sync = (n: number) => http(app).post(`/api/v1/infer/${enc(modelId)}`).send({ inputs: row(n) }).timeout(20_000);
  const async = (n: number) => http(app).post(`/api/v1/infer/${enc(modelId)}/async`).send({ inputs: row(n) }).timeout(20_000);

  beforeAll(async () => {
    storage = await testStorage('postgres');
    writeMatMulModel(join(storage.options.modelDir!, 'matmul'));
    const server = new URL(storage.options.databaseUrl!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    app = await startInferenceApp(storage, runtime, {
      databaseUrl: proxy.wrapUrl(storage.options.databaseUrl!), databaseTimeouts: { connectMs: 1_000, statementMs: 2_000 },
      maxUnrecordedEvents: BACKLOG, submitAckTimeoutMs: 2_000, maxBatchWaitMs: 0,
    });
    runtime.define(modelId, join(storage.options.modelDir!, 'matmul'));
    await registerTensorModel(app, modelId);
    expect((await sync(0)).status).toBe(200); // loaded, and the model is in the directory's cache
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await runtime.stopAll();
    await proxy?.close();
    await storage?.cleanup();
  });

  it('answers sync jobs from memory up to the backlog bound, then 503; refuses async ones with 503 in bounded time; records everything once back', async () => {
    await eventually(async () => (await eventsOf(app, 'job.completed')).length === 1, 'the first job recorded');
    proxy.cut('reset');

    const answered: string[] = [];
    let refused: { status: number; body: { error_code: string } } | undefined;
    for (let n = 1; n <= BACKLOG && !refused; n++) {
      const res = await sync(n);
      if (res.status === 200) answered.push(res.body.job_id);
      else refused = res;
    }
    expect(answered.length).toBeGreaterThanOrEqual(BACKLOG / 3 - 1); // the worker kept answering without the database
    expect(refused).toMatchObject({ status: 503, body: { error_code: 'SERVICE_UNAVAILABLE' } });
    const t0 = Date.now();
    const durable = await async(99);
    expect([durable.status, durable.body.error_code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(Date.now() - t0).toBeLessThan(15_000);

    proxy.restore();
    const completed = await eventually(async () => {
      const ids = (await eventsOf(app, 'job.completed')).map((e) => e.payload.job_id);
      return answered.every((id) => ids.includes(id)) && ids;
    }, 'the backlog to be recorded', 60_000);
    expect(new Set(completed).size).toBe(completed.length); // each once
    const submitted = (await eventsOf(app, 'job.submitted')).map((e) => e.payload.job_id);
    expect(submitted).toEqual(expect.arrayContaining(answered));
    const ok = await async(100);
    expect(ok.status).toBe(202);
  }, 120_000);
});
