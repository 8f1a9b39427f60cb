import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { BatchRunner } from '../../src/inference/application/dispatch/batch-runner.js';
import { JobDispatcher } from '../../src/inference/application/dispatch/job-dispatcher.js';
import { ModelLane } from '../../src/inference/application/dispatch/model-lane.js';
import { InferenceQueue } from '../../src/inference/application/inference-queue.aggregate.js';
import { JobLedger } from '../../src/inference/application/jobs/job-ledger.js';
import { ModelDirectory } from '../../src/inference/application/model-directory.js';
import { QueueRecorder } from '../../src/inference/application/recording/queue-recorder.js';
import { databaseBackends } from '../support/databases.js';
import { enc, eventually, http, row } from '../inference/support/inference-app.js';
import { TinyRuntime } from '../inference/support/tiny-runtime.js';
import { startTinyModelApp, type TinyModelApp } from '../inference/support/tiny-model-app.js';

const backend = databaseBackends()[0]!;

/** The public methods of the files a sync request crosses (TinyRuntime stands for the serving port). */
const SPIED: Array<[{ prototype: object; name: string }, string[]]> = [
  [ModelDirectory, ['get', 'forget']],
  [QueueRecorder, ['admit', 'decide', 'read', 'refuseNewWork']],
  [InferenceQueue, ['admit', 'submit', 'start', 'complete', 'fail', 'timeOut', 'cancel', 'requeue']],
  [JobDispatcher, ['run', 'enqueue', 'wake', 'cancel', 'failQueued', 'requeueAfter']],
  [JobLedger, ['waitFor', 'track', 'outcome', 'settle', 'get', 'isSync', 'endOf', 'drop']],
  [ModelLane, ['enqueue', 'next', 'remove', 'drain', 'wakeAt']],
  [BatchRunner, ['run']],
  [TinyRuntime, ['describe', 'state', 'infer', 'ensureLoaded', 'declaredInputs']],
];

/** Records each call into a spied class made from another file: a call made while the same class's method is still on the stack is its own. */
function spyOnHops(): { hops: string[]; restore: () => void } {
  const hops: string[] = [];
  const depth = new Map<string, number>();
  const originals: Array<() => void> = [];
  for (const [cls, methods] of SPIED) {
    const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
    for (const method of methods) {
      const original = proto[method]!;
      proto[method] = function (this: unknown, ...args: unknown[]) {
        const inside = depth.get(cls.name) ?? 0;
        if (inside === 0) hops.push(`${cls.name}.${method}`);
        depth.set(cls.name, inside + 1);
        try {
          return original.apply(this, args);
        } finally {
          depth.set(cls.name, inside);
        }
      };
      originals.push(() => (proto[method] = original));
    }
  }
  return { hops, restore: () => originals.forEach((undo) => undo()) };
}

/** The sync path's hops (docs/architecture.md, "Hops"), as far as a spy sees them: calls into the domain's functions (the planner) are not methods. */
describe(`the sync path's hops (${backend})`, () => {
  let served: TinyModelApp | undefined;
  let app: INestApplication;

  beforeAll(async () => {
    served = await startTinyModelApp(backend, 'tiny/hops', { maxBatchWaitMs: 0 });
    ({ app } = served);
  });
  afterAll(() => served?.close());

  it('given a loaded model whose facts are cached, when a sync request runs, then it crosses these files in this order, and no other', async () => {
    expect((await http(app).post(`/api/v1/infer/${enc('tiny/hops')}`).send({ inputs: row(1) })).status).toBe(200);
    await eventually(() => app.get(QueueRecorder).status().unrecorded_events === 0, 'the warm-up job on record');

    const spy = spyOnHops();
    const res = await http(app).post(`/api/v1/infer/${enc('tiny/hops')}`).send({ inputs: row(2) });
    spy.restore();

    expect(res.status).toBe(200);
    expect(spy.hops).toEqual([
      'ModelDirectory.get', 'TinyRuntime.describe',
      'QueueRecorder.admit', 'InferenceQueue.admit',
      'JobDispatcher.run', 'JobLedger.waitFor', 'ModelLane.enqueue',
      'TinyRuntime.state', 'ModelLane.next', 'BatchRunner.run',
      'QueueRecorder.decide', 'InferenceQueue.start', 'TinyRuntime.infer',
      'QueueRecorder.decide', 'InferenceQueue.complete', 'JobLedger.settle',
    ]);
  });
});
