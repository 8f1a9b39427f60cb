import { describe, expect, it } from '@jest/globals';
import type { Priority } from '../../domain/scheduling/priority.js';
import type { DispatchJob } from '../ports/job-dispatch.port.js';
import { ModelLane } from './model-lane.js';

const MIN = 60_000;
const job = (job_id: string, priority: Priority, submittedAtMs: number): DispatchJob => ({
  job_id, model_id: 'a/b', priority, task_type: 'tensor', inputs: 'x', submittedAtMs, deadlineAtMs: submittedAtMs + 10 * MIN, sync: false,
});

/** Given jobs queued in this order on one model's lane. */
function given(jobs: DispatchJob[], agingIntervalMs = MIN): ModelLane {
  const lane = new ModelLane('a/b', agingIntervalMs, { maxBatchSize: 100, maxWaitMs: 0, maxBatchTokens: Number.MAX_SAFE_INTEGER });
  for (const j of jobs) lane.enqueue(j);
  return lane;
}
const batchAt = (lane: ModelLane, nowMs: number, max = 100) => lane.queue.dequeueBatch(nowMs, max).map((j) => j.job_id);

describe('a model lane hands batches to its worker', () => {
  it('given mixed priorities, when a batch is taken, then highest priority first and FIFO within a level', () => {
    const lane = given([job('l1', 'low', 0), job('n1', 'normal', 1), job('c1', 'critical', 2), job('n2', 'normal', 3), job('h1', 'high', 4), job('c2', 'critical', 5)]);
    expect(batchAt(lane, 10)).toEqual(['c1', 'c2', 'h1', 'n1', 'n2', 'l1']);
  });

  it('given a batch size, then a batch stops there and the rest keeps its order', () => {
    const lane = given([job('a', 'normal', 0), job('b', 'normal', 1), job('c', 'high', 2)]);
    expect(batchAt(lane, 5, 2)).toEqual(['c', 'a']);
    expect(batchAt(lane, 5, 2)).toEqual(['b']);
  });

  it('given a low job that waited long enough, then it ages past newer normal and high jobs', () => {
    const lane = given([job('old-low', 'low', 0), job('normal', 'normal', 2 * MIN), job('high', 'high', 2 * MIN)]);
    expect(batchAt(lane, 2 * MIN + 1, 1)).toEqual(['old-low']);
  });

  it('given jobs requeued after a restart with their submission time, then they keep their aging credit', () => {
    const lane = given([job('fresh-normal', 'normal', 3 * MIN), job('recovered-low', 'low', 0)]);
    expect(batchAt(lane, 3 * MIN)).toEqual(['recovered-low', 'fresh-normal']);
  });

  it('given a cancelled job, when removed, then it is never handed out; draining empties the lane', () => {
    const b = job('b', 'normal', 1);
    const lane = given([job('a', 'normal', 0), b, job('c', 'low', 2)]);
    expect(lane.remove(b)).toBe(true);
    expect(lane.remove(b)).toBe(false);
    expect(lane.drain().map((j) => j.job_id)).toEqual(['a', 'c']);
    expect(lane.queue.size).toBe(0);
  });

  it('given a job already queued, when enqueued again, then it is queued once', () => {
    const a = job('a', 'normal', 0);
    const lane = given([a, a]);
    expect(lane.queue.size).toBe(1);
  });

  it('given a job handed out in a batch, when it is enqueued again (a requeue), then it is queued anew', () => {
    const a = job('a', 'normal', 0);
    const lane = given([a]);
    expect(batchAt(lane, 1)).toEqual(['a']);
    expect(lane.remove(a)).toBe(false);
    lane.enqueue(a);
    expect(lane.queue.size).toBe(1);
    expect(lane.remove(a)).toBe(true);
  });
});
