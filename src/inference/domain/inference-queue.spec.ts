import { describe, expect, it } from '@jest/globals';
import { fixedEventContext, specFor } from '../../../test/support/given-when-then.js';
import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import { decideQueue, duplicateOf, type SubmitJobDecision } from './inference-queue.decide.js';
import type { RequeueReason } from './inference-queue.events.js';
import { emptyQueue, evolveQueue, fromSnapshot, toSnapshot, type InferenceQueueState } from './inference-queue.state.js';

const QUEUE = '11000000-e29b-41d4-a716-446655440013';
const MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
const LIMITS = { maxQueueSize: 3, maxQueuedPerModel: 3, defaultTimeoutMs: { default: 30_000, txt2embed: 10_000 } };
const job = (n: number) => `ee0e8400-e29b-41d4-a716-${String(n).padStart(12, '0')}`;
const tensor = { x: { dims: [1, 2], data: [1, 2] } };

type Cmd =
  | { submit: Partial<SubmitJobDecision> & { job_id: string } }
  | { start: string[] }
  | { complete: string; ms?: number }
  | { fail: string; code: string; message: string }
  | { timeOut: string }
  | { cancel: string }
  | { requeue: string; reason: RequeueReason; maxRetries?: number }
  | { recover: number };

function decide(s: InferenceQueueState, c: Cmd, ctx: EventContext): DomainEvent[] {
  if ('submit' in c) return decideQueue.submit(s, QUEUE, { model_id: MODEL, task_type: 'tensor', inputs: tensor, ...c.submit }, LIMITS, ctx);
  if ('start' in c) return decideQueue.start(s, QUEUE, c.start, ctx);
  if ('complete' in c) return decideQueue.complete(s, QUEUE, c.complete, c.ms ?? 45.3, ctx);
  if ('fail' in c) return decideQueue.fail(s, QUEUE, { job_id: c.fail, error_code: c.code, error_message: c.message, processing_time_ms: 1 }, ctx);
  if ('timeOut' in c) return decideQueue.timeOut(s, QUEUE, c.timeOut, ctx);
  if ('cancel' in c) return decideQueue.cancel(s, QUEUE, c.cancel, ctx);
  if ('requeue' in c) {
    return decideQueue.requeue(s, QUEUE, { job_id: c.requeue, reason: c.reason, error_message: 'worker exited', max_retries: c.maxRetries ?? 2 }, ctx);
  }
  return decideQueue.recover(s, QUEUE, c.recover, ctx);
}

const given = specFor<InferenceQueueState, Cmd>({ initial: emptyQueue, evolve: evolveQueue, decide });

/** Builds a history step by step, each decision on the state the previous ones left. */
function history(...cmds: Cmd[]): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const c of cmds) events.push(...decide(events.reduce(evolveQueue, emptyQueue()), c, fixedEventContext()));
  return events;
}
const submitted = (n: number, extra: Partial<SubmitJobDecision> = {}): Cmd => ({ submit: { job_id: job(n), ...extra } });

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
    const oneDone = [...full, ...history(submitted(1), { cancel: job(1) }).slice(1)];
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
});

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
    const second = [...first, ...history(submitted(1), { start: [job(1)] }, { requeue: job(1), reason: 'worker_exited' }, { start: [job(1)] }).slice(2)];
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
