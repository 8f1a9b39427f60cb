import { describe, expect, it } from '@jest/globals';
import { fixedEventContext } from '../../../test/support/given-when-then.js';
import { given, history, job, MODEL, submitted } from '../../../test/support/inference-queue.given.js';
import { duplicateOf } from './inference-queue.decide.js';
import { emptyQueue, evolveQueue, fromSnapshot, toSnapshot } from './inference-queue.state.js';

describe('InferenceQueue: running and ending', () => {
  it('given queued jobs, when a batch starts, then one job.started per still-queued job with the batch size', () => {
    const past = history(submitted(1), submitted(2), submitted(3), { cancel: job(2) });
    given(past).when({ start: [job(1), job(2), job(3)] }).then([
      { event_type: 'job.started', payload: { job_id: job(1), model_id: MODEL, attempt: 1, batch_size: 2 } },
      { event_type: 'job.started', payload: { job_id: job(3), model_id: MODEL, attempt: 1, batch_size: 2 } },
    ]);
  });

  it('given a processing job, when it completes, then job.completed with success true', () => {
    given(history(submitted(1), { start: [job(1)] })).when({ complete: job(1), ms: 45.31 }).then([
      { event_type: 'job.completed', payload: { job_id: job(1), model_id: MODEL, processing_time_ms: 45.3, success: true } },
    ]);
  });

  it('given a completed job, when completed again, then nothing: a job is never completed twice', () => {
    given(history(submitted(1), { start: [job(1)] }, { complete: job(1) })).when({ complete: job(1) }).then([]);
  });

  it('given a job that timed out while running, when its result arrives, then it is ignored', () => {
    given(history(submitted(1), { start: [job(1)] }, { timeOut: job(1) })).when({ complete: job(1) }).then([]);
  });

  it('given a queued job, when completed without having started, then nothing', () => {
    given(history(submitted(1))).when({ complete: job(1) }).then([]);
  });

  it('given a live job, when it fails, then job.failed with the seed fields and an error code', () => {
    given(history(submitted(1), { start: [job(1)] })).when({ fail: job(1), code: 'INFERENCE_FAILED', message: 'boom' }).then([
      { event_type: 'job.failed', payload: { job_id: job(1), model_id: MODEL, error_message: 'boom', processing_time_ms: 1, error_code: 'INFERENCE_FAILED' } },
    ]);
  });

  it('given a queued job past its deadline, when timed out, then job.failed "Inference timeout" measured from submission', () => {
    const past = history(submitted(1));
    const later = fixedEventContext('2025-12-04T10:31:00.000Z');
    given(past).when({ timeOut: job(1) }, later).then([{
      event_type: 'job.failed',
      payload: { job_id: job(1), model_id: MODEL, error_message: 'Inference timeout', processing_time_ms: 60_000, error_code: 'INFERENCE_TIMEOUT' },
    }]);
    given([...past, ...given(past).when({ timeOut: job(1) }).events()]).when({ timeOut: job(1) }).then([]);
  });
});

describe('InferenceQueue: cancelling', () => {
  it('given a queued job, when cancelled, then job.cancelled', () => {
    given(history(submitted(1))).when({ cancel: job(1) }).then([{ event_type: 'job.cancelled', payload: { job_id: job(1), model_id: MODEL } }]);
  });

  it('given a processing job, when cancelled, then CANNOT_CANCEL', () => {
    given(history(submitted(1), { start: [job(1)] })).when({ cancel: job(1) }).thenFails('CANNOT_CANCEL');
  });

  it('given a finished or cancelled job, when cancelled, then CANNOT_CANCEL', () => {
    given(history(submitted(1), { start: [job(1)] }, { complete: job(1) })).when({ cancel: job(1) }).thenFails('CANNOT_CANCEL');
    given(history(submitted(1), { cancel: job(1) })).when({ cancel: job(1) }).thenFails('CANNOT_CANCEL');
  });
});

describe('InferenceQueue: retries and recovery', () => {
  it('given a job whose worker died, when requeued, then job.requeued with an exponential backoff', () => {
    const first = history(submitted(1), { start: [job(1)] });
    given(first).when({ requeue: job(1), reason: 'worker_exited' }).then([{
      event_type: 'job.requeued',
      payload: { job_id: job(1), model_id: MODEL, reason: 'worker_exited', error_message: 'worker exited', retries: 1, delay_ms: 200 },
    }]);
    const second = history(submitted(1), { start: [job(1)] }, { requeue: job(1), reason: 'worker_exited' }, { start: [job(1)] });
    const [requeued] = given(second).when({ requeue: job(1), reason: 'worker_exited' }).events();
    expect(requeued!.payload).toMatchObject({ retries: 2, delay_ms: 400 });
  });

  it('given a job out of retries, when its worker dies again, then job.failed', () => {
    const past = history(submitted(1), { start: [job(1)] }, { requeue: job(1), reason: 'worker_exited', maxRetries: 1 }, { start: [job(1)] });
    given(past).when({ requeue: job(1), reason: 'worker_exited', maxRetries: 1 }).then([
      expect.objectContaining({ event_type: 'job.failed', payload: expect.objectContaining({ error_code: 'INFERENCE_FAILED' }) }) as never,
    ]);
  });

  it('given a model that was not ready, when requeued, then no retry is used', () => {
    const [e] = given(history(submitted(1), { start: [job(1)] })).when({ requeue: job(1), reason: 'not_ready', maxRetries: 0 }).events();
    expect(e).toMatchObject({ event_type: 'job.requeued', payload: { retries: 0, delay_ms: 100 } });
  });

  it('given jobs queued and running when the server stopped, when recovered, then only the running ones are requeued', () => {
    const past = history(submitted(1), submitted(2), { start: [job(1)] });
    given(past).when({ recover: 2 }).then([{
      event_type: 'job.requeued',
      payload: { job_id: job(1), model_id: MODEL, reason: 'interrupted', error_message: 'the server stopped while the job ran', retries: 1, delay_ms: 200 },
    }]);
  });

  it('given a requeued job, then it starts again as attempt 2 and can complete', () => {
    const past = history(submitted(1), { start: [job(1)] }, { requeue: job(1), reason: 'worker_exited' });
    expect(given(past).when({ start: [job(1)] }).events()[0]!.payload).toMatchObject({ attempt: 2 });
  });

  it('given live jobs, when snapshotted and restored, then the state, its order and its request ids survive JSON', () => {
    const state = history(submitted(2, { request_id: 'r' }), submitted(1), { start: [job(1)] }).reduce(evolveQueue, emptyQueue());
    const restored = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(state))));
    expect([...restored.jobs.keys()]).toEqual([job(2), job(1)]);
    expect(restored.jobs.get(job(1))).toEqual(state.jobs.get(job(1)));
    expect(duplicateOf(restored, MODEL, 'r')?.job_id).toBe(job(2));
  });
});
