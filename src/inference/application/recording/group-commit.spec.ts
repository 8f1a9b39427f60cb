import { describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '../../../shared/domain/event-envelope.js';
import { mayWait } from './group-commit.js';

const events = (...types: string[]) => types.map((event_type) => ({ event_type, payload: { job_id: 'j' } }) as unknown as DomainEvent);
const entry = (types: string[], payloads = {}, also = []) => ({ events: events(...types), payloads, also });

describe('which decided facts may wait for the next flush', () => {
  it("given a sync job's admission or any job's start, then they may ride with the job's end", () => {
    expect(mayWait(entry(['job.submitted']))).toBe(true);
    expect(mayWait(entry(['job.started', 'job.started']))).toBe(true);
  });

  it("given an async job's admission (its inputs stored with it), then it goes at once: its caller waits for it", () => {
    expect(mayWait(entry(['job.submitted'], { inputs: new Map([['j', { x: 1 }]]) }))).toBe(false);
  });

  it('given an end, a requeue, a cancellation or kept outputs, then they go at once', () => {
    for (const type of ['job.completed', 'job.failed', 'job.cancelled', 'job.requeued', 'job.adopted']) expect(mayWait(entry([type]))).toBe(false);
    expect(mayWait(entry(['job.started', 'job.completed']))).toBe(false);
    expect(mayWait(entry(['job.started'], { outputs: new Map([['j', {}]]) }))).toBe(false);
  });

  it("given another stream's append in the same commit (a takeover), then it goes at once", () => {
    expect(mayWait({ ...entry(['job.started']), also: [{ aggregateId: 'q', aggregateType: 'inference_queue', expectedVersion: 0, events: [] }] })).toBe(false);
  });
});
