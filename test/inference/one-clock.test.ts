import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { databaseBackends } from '../support/databases.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { ResultExpiry } from '../../src/inference/application/results/result-expiry.js';
import { enc, eventsOf, http, jobsEnded, registerTensorModel, row, startInferenceApp } from './support/inference-app.js';
import { TinyRuntime } from './support/tiny-runtime.js';

const backend = databaseBackends()[0]!;
const HOUR_MS = 3_600_000;

/** A job's deadline and its result's expiry are stamped by the injected clock, so they are measured by that clock too, not the host's. */
describe(`one clock for deadlines (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  const runtime = new TinyRuntime();

  beforeAll(async () => {
    storage = await testStorage(backend);
    writeMatMulModel(join(storage.options.modelDir!, 'matmul'));
    // Given a server whose clock runs an hour behind the host's.
    app = await startInferenceApp(storage, runtime, { maxBatchWaitMs: 0, resultTtlMs: 10 * 60_000 }, { now: () => new Date(Date.now() - HOUR_MS) });
    runtime.define('tiny/clock', join(storage.options.modelDir!, 'matmul'));
    await registerTensorModel(app, 'tiny/clock');
  });
  afterAll(async () => {
    await app?.close();
    await runtime.stopAll();
    await storage?.cleanup();
  });

  it('runs a job with a minute to go to its end, though by the host clock its deadline passed an hour ago', async () => {
    const res = await http(app).post(`/api/v1/infer/${enc('tiny/clock')}`).send({ inputs: row(1), timeout_ms: 60_000 });

    expect([res.status, res.body.error_code]).toEqual([200, undefined]);
    const [submitted] = (await eventsOf(app, 'job.submitted')).filter((e) => e.payload.job_id === res.body.job_id);
    expect(Date.parse(submitted!.timestamp)).toBeLessThan(Date.now() - HOUR_MS + 60_000); // stamped by the server's clock
  });

  it('keeps the result of an async job for its ten minutes, though by the host clock they ended fifty minutes ago', async () => {
    const submitted = await http(app).post(`/api/v1/infer/${enc('tiny/clock')}/async`).send({ inputs: row(2) });
    await jobsEnded(app, [submitted.body.job_id]);

    await app.get(ResultExpiry).purgeExpired();
    const result = await http(app).get(`/api/v1/jobs/${submitted.body.job_id}/result`);

    expect([result.status, result.body.error_code]).toEqual([200, undefined]);
  });
});
