import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { Database } from '../../src/shared/database/database.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { rebuildProjections } from '../../src/shared/event-sourcing/projection-rebuilder.js';
import { JobsProjection } from '../../src/inference/application/projections/jobs.projection.js';
import { QueueRecorder } from '../../src/inference/application/recording/queue-recorder.js';
import { databaseBackends } from '../support/databases.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { enc, eventually, http, jobsEnded, registerTensorModel, row, startInferenceApp } from './support/inference-app.js';
import { TinyRuntime } from './support/tiny-runtime.js';

const backend = databaseBackends()[0]!;

/** The live group commit and a replay write `inference_jobs` through the same code: a rebuild changes no row. */
describe(`the jobs read model, live and replayed (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  const runtime = new TinyRuntime();
  const rows = () => app.get(Database).query(`SELECT * FROM inference_jobs ORDER BY job_id`);

  beforeAll(async () => {
    storage = await testStorage(backend);
    writeMatMulModel(join(storage.options.modelDir!, 'matmul'));
    app = await startInferenceApp(storage, runtime, { maxBatchWaitMs: 0 });
    runtime.define('tiny/replay', join(storage.options.modelDir!, 'matmul'));
    await registerTensorModel(app, 'tiny/replay');
  });
  afterAll(async () => {
    await app?.close();
    await runtime.stopAll();
    await storage?.cleanup();
  });

  it('rebuilds from the log the same rows the live queue wrote: completed, failed, sync and async jobs', async () => {
    const post = (body: object, path = '/async') => http(app).post(`/api/v1/infer/${enc('tiny/replay')}${path}`).send(body);
    const async = await Promise.all([1, 2, 3].map(async (i) => (await post({ inputs: row(i), priority: 'high' })).body.job_id as string));
    const sync = await post({ inputs: row(4) }, '');
    const invalid = await post({ inputs: { x: { dims: [1, 4], data: [1, 2, 3, 4] } }, request_id: 'r-1' });
    await jobsEnded(app, [...async, sync.body.job_id, invalid.body.job_id].filter(Boolean));
    await eventually(() => app.get(QueueRecorder).status().unrecorded_events === 0, 'every job on record');
    const live = await rows();
    // The rebuild reads settled events: wait until every committed one is.
    const [{ n }] = await app.get(Database).query<{ n: number }>('SELECT count(*)::int AS n FROM event_store');
    await eventually(async () => (await app.get(PostgresEventStore).readAll({ limit: 100_000 })).length >= n, 'the whole log to settle');
    expect(live.length).toBeGreaterThanOrEqual(4);

    await rebuildProjections(app.get(Database), app.get(PostgresEventStore), [app.get(JobsProjection)]);

    expect(await rows()).toEqual(live);
  });
});
