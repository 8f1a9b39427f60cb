import { describe, expect, it } from '@jest/globals';
import { fixedEventContext } from '../../../test/support/given-when-then.js';
import { given, history, job, LIMITS, MODEL, QUEUE, submitted, tensor } from '../../../test/support/inference-queue.given.js';
import { decideQueue, duplicateOf } from './inference-queue.decide.js';
import { emptyQueue, evolveQueue } from './inference-queue.state.js';

describe('InferenceQueue: submitting', () => {
  it('given an empty queue, when a job is submitted, then job.submitted carries the seed fields', () => {
    given([]).when({ submit: { job_id: job(1), priority: 'high', request_id: 'req-1' } }).then([{
      event_type: 'job.submitted',
      payload: { job_id: job(1), model_id: MODEL, priority: 'high', task_type: 'tensor', timeout_ms: 30_000, request_id: 'req-1' },
    }]);
  });

  it('given no priority or the upstream "medium", then the job is normal; an unknown priority is refused', () => {
    expect(given([]).when(submitted(1)).events()[0]!.payload.priority).toBe('normal');
    expect(given([]).when(submitted(1, { priority: 'medium' })).events()[0]!.payload.priority).toBe('normal');
    given([]).when(submitted(1, { priority: 'urgent' })).thenFails('VALIDATION_ERROR');
  });

  it('given no timeout, then the task type default applies; a timeout out of range is refused', () => {
    expect(given([]).when(submitted(1, { task_type: 'txt2embed', inputs: 'hi' })).events()[0]!.payload.timeout_ms).toBe(10_000);
    expect(given([]).when(submitted(1, { timeout_ms: 250 })).events()[0]!.payload.timeout_ms).toBe(250);
    given([]).when(submitted(1, { timeout_ms: 0 })).thenFails('VALIDATION_ERROR');
  });

  it.each([
    ['tensor', { x: { dims: [2, 2], data: [1, 2, 3] } }],
    ['tensor', { x: { dims: [2], type: 'complex64', data: [1, 2] } }],
    ['tensor', { x: { dims: [-1], data: [] } }],
    ['tensor', [1, 2, 3]],
    ['tensor', {}],
    ['txt2embed', []],
    ['txt2embed', ['ok', 3]],
    ['txt2embed', { text: 'hi' }],
    ['txt2embed', ['ok', 'nul \u0000 inside']],
    ['img2txt', { image: 'a\u0000b' }],
  ])('given a %s model, when inputs %j are submitted, then INVALID_INPUT', (task_type, inputs) => {
    given([]).when(submitted(1, { task_type, inputs })).thenFails('INVALID_INPUT');
  });

  it('given a full queue, when one more job is submitted, then QUEUE_FULL; a finished job frees its place', () => {
    const full = history(submitted(1), submitted(2), submitted(3));
    given(full).when(submitted(4)).thenFails('QUEUE_FULL');
    const oneDone = history(submitted(1), submitted(2), submitted(3), { cancel: job(1) });
    given(oneDone).when(submitted(4)).then([expect.objectContaining({ event_type: 'job.submitted' }) as never]);
  });

  it('given a live job with a request id, when resubmitted with that id, then no new job (the caller gets the live one)', () => {
    const past = history(submitted(1, { request_id: 'req-1' }));
    given(past).when(submitted(2, { request_id: 'req-1' })).then([]);
    expect(duplicateOf(past.reduce(evolveQueue, emptyQueue()), MODEL, 'req-1')?.job_id).toBe(job(1));
  });

  it('given the job of a request id has ended, then the id no longer dedupes in the queue (the read model does)', () => {
    const past = history(submitted(1, { request_id: 'req-1' }), { start: [job(1)] }, { complete: job(1) });
    expect(duplicateOf(past.reduce(evolveQueue, emptyQueue()), MODEL, 'req-1')).toBeUndefined();
  });

  it('given a request id used on one model, when another model gets the same id, then it is a new job', () => {
    const past = history(submitted(1, { request_id: 'req-1' }));
    given(past).when(submitted(2, { request_id: 'req-1', model_id: 'other/model' }))
      .then([expect.objectContaining({ event_type: 'job.submitted', payload: expect.objectContaining({ job_id: job(2) }) }) as never]);
  });

  it('given a model holding its share of the queue, when it gets one more job, then QUEUE_FULL while other models still get in', () => {
    const limits = { ...LIMITS, maxQueueSize: 10, maxQueuedPerModel: 2 };
    const state = history(submitted(1), submitted(2)).reduce(evolveQueue, emptyQueue());
    const d = (n: number, model_id: string) => ({ job_id: job(n), model_id, task_type: 'tensor', inputs: tensor });
    expect(() => decideQueue.submit(state, QUEUE, d(3, MODEL), limits, fixedEventContext())).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(decideQueue.submit(state, QUEUE, d(3, 'other/model'), limits, fixedEventContext())).toHaveLength(1);
  });

  it('given live jobs of a dead queue, when adopted, then job.adopted here and job.released there, keeping time and retries', () => {
    const dead = history(submitted(1), { start: [job(1)] }, { requeue: job(1), reason: 'worker_exited' }).reduce(evolveQueue, emptyQueue());
    const OLD = '22000000-e29b-41d4-a716-446655440013';
    const { adopted, released } = decideQueue.adopt(emptyQueue(), QUEUE, { queueId: OLD, jobs: [...dead.jobs.values()] }, fixedEventContext());
    expect(adopted[0]).toMatchObject({ aggregate_id: QUEUE, event_type: 'job.adopted', payload: { job_id: job(1), retries: 1, from_queue_id: OLD } });
    expect(released[0]).toMatchObject({ aggregate_id: OLD, event_type: 'job.released', payload: { job_id: job(1), to_queue_id: QUEUE } });
    const here = adopted.reduce(evolveQueue, emptyQueue());
    expect(here.jobs.get(job(1))).toMatchObject({ status: 'queued', submitted_at: dead.jobs.get(job(1))!.submitted_at, retries: 1 });
    expect(released.reduce(evolveQueue, dead).jobs.size).toBe(0);
  });

  it('given an unhealthy model, when a job is submitted, then MODEL_UNHEALTHY', () => {
    given([]).when(submitted(1, { model_state: 'unhealthy' })).thenFails('MODEL_UNHEALTHY');
  });

  it('given a live job of a request id, when a request is admitted, then the live job and no event; else a new job with an id from the context', () => {
    const state = history(submitted(1, { request_id: 'req-1' })).reduce(evolveQueue, emptyQueue());
    const model = { model_id: MODEL, task_type: 'tensor', state: 'loaded', declared_inputs: undefined };
    const again = decideQueue.admit(state, QUEUE, { inputs: tensor, request_id: 'req-1' }, model, LIMITS, fixedEventContext());
    expect(again).toEqual({ duplicate: expect.objectContaining({ job_id: job(1) }) });
    const fresh = decideQueue.admit(state, QUEUE, { inputs: tensor, request_id: 'req-2', priority: 'high' }, model, LIMITS, fixedEventContext());
    expect(fresh).toEqual({ submitted: expect.objectContaining({
      event_type: 'job.submitted', payload: expect.objectContaining({ model_id: MODEL, priority: 'high', request_id: 'req-2' }),
    }) });
    const jobId = 'submitted' in fresh ? fresh.submitted.payload.job_id : '';
    expect(jobId).not.toBe(job(1));
    expect(jobId).toMatch(/^00000000-0000-4000-8000-/);
  });
});
