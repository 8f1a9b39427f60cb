import { describe, expect, it } from '@jest/globals';
import { effectiveRank } from './aging.js';
import { PRIORITY_RANK, type Priority } from './priority.js';
import { JobPriorityQueue } from './priority-queue.js';

const MIN = 60_000;

/** The order a queue aging every `agingIntervalMs` gives these jobs (id, priority, enqueued at) when all are taken at `nowMs`. */
function orderAt(nowMs: number, jobs: [string, Priority, number][], agingIntervalMs: number): string[] {
  const q = new JobPriorityQueue<string>({ agingIntervalMs });
  for (const [id, priority, at] of jobs) q.enqueue(id, priority, at);
  return q.dequeueBatch(nowMs, jobs.length);
}

describe('JobPriorityQueue aging', () => {
  it('given a low job not yet aged, then a later normal job goes first', () => {
    expect(orderAt(59_999, [['old-low', 'low', 0], ['normal', 'normal', 30_000]], MIN)).toEqual(['normal', 'old-low']);
  });

  it('given a low job aged one level, then it overtakes a later normal job (older wins on equal rank)', () => {
    expect(orderAt(60_000, [['old-low', 'low', 0], ['normal', 'normal', 30_000]], MIN)).toEqual(['old-low', 'normal']);
  });

  it('given an aged low job, then a critical job still overtakes it while its effective rank is higher', () => {
    // old-low has waited 2 intervals: effective high < critical.
    expect(orderAt(150_000, [['old-low', 'low', 0], ['critical', 'critical', 100_000]], MIN)).toEqual(['critical', 'old-low']);
  });

  it('given a low job aged to the critical cap, then it goes before a younger critical job', () => {
    expect(orderAt(180_000, [['old-low', 'low', 0], ['critical', 'critical', 170_000]], MIN)).toEqual(['old-low', 'critical']);
    expect(effectiveRank(PRIORITY_RANK.low, 100 * MIN, MIN)).toBe(PRIORITY_RANK.critical);
  });

  it('given equal effective rank and equal wait, then the higher submitted priority goes first', () => {
    expect(orderAt(10 * MIN, [['low', 'low', 0], ['normal', 'normal', 0]], MIN)).toEqual(['normal', 'low']);
  });

  it.each([0, Infinity])('given agingIntervalMs %p, then a low job never overtakes', (interval) => {
    expect(orderAt(1e12, [['old-low', 'low', 0], ['normal', 'normal', 1_000_000]], interval)).toEqual(['normal', 'old-low']);
  });

  it('given a negative or NaN aging interval, then the queue refuses it', () => {
    expect(() => new JobPriorityQueue({ agingIntervalMs: -1 })).toThrow(RangeError);
    expect(() => new JobPriorityQueue({ agingIntervalMs: NaN })).toThrow(RangeError);
  });
});
