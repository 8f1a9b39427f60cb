import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { databaseBackends } from '../support/databases.js';
import { ResultExpiry } from '../../src/inference/application/results/result-expiry.js';
import { enc, eventsOf, http, jobsEnded, row } from './support/inference-app.js';
import { startTinyModelApp, type TinyModelApp } from './support/tiny-model-app.js';

const backend = databaseBackends()[0]!;
const HOUR_MS = 3_600_000;

/** A job's deadline and its result's expiry are stamped by the injected clock, so they are measured by that clock too, not the host's. */
describe(`one clock for deadlines (${backend})`, () => {
  let served: TinyModelApp | undefined;
  let app: INestApplication;

  beforeAll(async () => {
    // Given a server whose clock runs an hour behind the host's.
    served = await startTinyModelApp(backend, 'tiny/clock', { maxBatchWaitMs: 0, resultTtlMs: 10 * 60_000 }, { now: () => new Date(Date.now() - HOUR_MS) });
    ({ app } = served);
  });
  afterAll(() => served?.close());

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
