import { describe, expect, it } from '@jest/globals';
import { createEvent } from '../../../shared/domain/event-envelope.js';
import { fixedEventContext } from '../../../../test/support/given-when-then.js';
import { INFERENCE_QUEUE, JobCompleted, JobStarted, JobSubmitted } from '../../domain/inference-queue.events.js';
import { payloadChanges } from './payload-changes.js';

const queue = { id: 'queue-1', type: INFERENCE_QUEUE };
const at = '2025-12-04T10:30:00.000Z';
const ctx = fixedEventContext(at);
const submitted = (job_id: string) => createEvent(JobSubmitted, queue, { job_id, model_id: 'm', priority: 'normal', task_type: 'tensor', timeout_ms: 1_000, request_id: null }, ctx);
const started = (job_id: string) => createEvent(JobStarted, queue, { job_id, model_id: 'm', attempt: 1, batch_size: 1 }, ctx);
const completed = (job_id: string) => createEvent(JobCompleted, queue, { job_id, model_id: 'm', processing_time_ms: 5, success: true }, ctx);

/** The payload writes a flush carries: computed from its events and its decisions' payloads, stored by the statement. */
describe('payloadChanges', () => {
  it('keeps the inputs of a job submitted in the flush, and drops those of a job that ends in a later one', () => {
    const first = payloadChanges([submitted('a')], [{ inputs: new Map([['a', [1]]]) }], 60_000);
    const later = payloadChanges([started('a'), completed('a')], [{ outputs: new Map([['a', { y: 1 }]]) }], 60_000);

    expect(first).toEqual({ inputs: [{ job_id: 'a', inputs: [1] }], results: [], ended: [] });
    expect(later).toEqual({
      inputs: [], ended: ['a'],
      results: [{ job_id: 'a', model_id: 'm', outputs: { y: 1 }, created_at: at, expires_at: '2025-12-04T10:31:00.000Z' }],
    });
  });

  it('keeps no inputs for a job that ends in the flush it was submitted in (one statement cannot delete what it inserts)', () => {
    const changes = payloadChanges([submitted('b'), started('b'), completed('b')], [{ inputs: new Map([['b', [2]]]) }], 60_000);

    expect(changes).toMatchObject({ inputs: [], ended: [] });
  });
});
