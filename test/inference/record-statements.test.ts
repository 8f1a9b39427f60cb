import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { QueueRecorder } from '../../src/inference/application/recording/queue-recorder.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { databaseBackends } from '../support/databases.js';
import { enc, eventually, http, row } from './support/inference-app.js';
import type { TinyRuntime } from './support/tiny-runtime.js';
import { startTinyModelApp, type TinyModelApp } from './support/tiny-model-app.js';

/** What each group-commit statement appended, as event types, while `fn` ran and its records settled. */
async function appendsDuring(app: INestApplication, fn: (appends: readonly string[][]) => Promise<void>): Promise<string[][]> {
  const store = app.get(PostgresEventStore);
  const original = store.appendWith;
  const appends: string[][] = [];
  store.appendWith = function (this: PostgresEventStore, ...args: Parameters<PostgresEventStore['appendWith']>) {
    appends.push(args[0].flatMap((s) => s.events.map((e) => e.event_type)));
    return original.apply(this, args);
  };
  try {
    await fn(appends);
    await eventually(() => app.get(QueueRecorder).status().unrecorded_events === 0, 'every decision on record');
  } finally {
    store.appendWith = original;
  }
  return appends;
}

for (const backend of databaseBackends()) {
  describe(`the group commit's statements (${backend})`, () => {
    let served: TinyModelApp | undefined;
    let app: INestApplication;
    let runtime: TinyRuntime;

    beforeAll(async () => {
      served = await startTinyModelApp(backend, 'tiny/records', { maxBatchWaitMs: 0 });
      ({ app, runtime } = served);
      expect((await http(app).post(`/api/v1/infer/${enc('tiny/records')}`).send({ inputs: row(1) })).status).toBe(200);
    });
    afterAll(() => served?.close());

    it('given a loaded model, when a sync request is answered, then its submission, start and end go in one statement', async () => {
      const appends = await appendsDuring(app, async () => {
        expect((await http(app).post(`/api/v1/infer/${enc('tiny/records')}`).send({ inputs: row(2) })).status).toBe(200);
      });
      expect(appends).toEqual([['job.submitted', 'job.started', 'job.completed']]);
    });

    it('given a held worker, when an async job is submitted, then its submission is on record before the job runs, and its end after', async () => {
      runtime.close();
      const appends = await appendsDuring(app, async (sofar) => {
        expect((await http(app).post(`/api/v1/infer/${enc('tiny/records')}/async`).send({ inputs: row(3) })).status).toBe(202);
        expect(sofar).toEqual([['job.submitted', 'job.started']]);
        runtime.open();
        await eventually(() => sofar.length > 1, 'the end on record');
      });
      expect(appends).toEqual([['job.submitted', 'job.started'], ['job.completed']]);
    });
  });
}
