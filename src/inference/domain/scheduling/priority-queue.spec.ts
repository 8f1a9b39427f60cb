import { describe, expect, it } from '@jest/globals';
import type { Priority } from './priority.js';
import { JobPriorityQueue, type QueueTicket } from './priority-queue.js';

const MIN = 60_000;

/** The tickets of the jobs `given` queued, by job id (the dispatcher keeps each on its job). */
const tickets = new Map<string, QueueTicket>();

/** Given these jobs (id, priority, enqueued at), in this enqueue order. */
function given(jobs: [string, Priority, number][], agingIntervalMs = Infinity): JobPriorityQueue<string> {
  const q = new JobPriorityQueue<string>({ agingIntervalMs });
  for (const [id, priority, at] of jobs) tickets.set(id, q.enqueue(id, priority, at));
  return q;
}

const ticket = (id: string): QueueTicket => tickets.get(id)!;

function drainAt(q: JobPriorityQueue<string>, nowMs: number): string[] {
  const out: string[] = [];
  for (let id = q.dequeue(nowMs); id !== undefined; id = q.dequeue(nowMs)) out.push(id);
  return out;
}

describe('JobPriorityQueue ordering', () => {
  it('given mixed priorities, when dequeued, then the highest priority goes first', () => {
    const q = given([['l', 'low', 0], ['n', 'normal', 0], ['c', 'critical', 0], ['h', 'high', 0]]);
    expect(drainAt(q, 0)).toEqual(['c', 'h', 'n', 'l']);
  });

  it('given jobs of one priority, when dequeued, then they come out FIFO', () => {
    const q = given([['a', 'normal', 0], ['b', 'normal', 0], ['c', 'normal', 0], ['x', 'high', 0], ['d', 'normal', 0]]);
    expect(drainAt(q, 0)).toEqual(['x', 'a', 'b', 'c', 'd']);
  });

  it('given the clock stepped back between two enqueues, then FIFO still follows enqueue order', () => {
    const q = given([['first', 'normal', 5_000], ['second', 'normal', 1_000]], MIN);
    expect(drainAt(q, 5_000)).toEqual(['first', 'second']);
  });

  it('given an empty queue, when dequeued or peeked, then nothing comes out', () => {
    const q = given([]);
    expect(q.dequeue(0)).toBeUndefined();
    expect(q.peek(0)).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('given jobs, when peeked, then the next job is shown but stays queued', () => {
    const q = given([['n', 'normal', 0], ['h', 'high', 0]]);
    expect(q.peek(0)).toBe('h');
    expect(q.size).toBe(2);
    expect(q.dequeue(0)).toBe('h');
  });
});

describe('JobPriorityQueue cancellation and bookkeeping', () => {
  it('given a queued job, when removed through its ticket, then it never comes out and the counts stay exact', () => {
    const q = given([['a', 'high', 0], ['b', 'high', 0], ['c', 'high', 0]]);
    expect(q.remove(ticket('b'))).toBe(true);
    expect(q.remove(ticket('b'))).toBe(false);
    expect(q.isQueued(ticket('b'))).toBe(false);
    expect(q.isQueued(ticket('a'))).toBe(true);
    expect(q.size).toBe(2);
    expect(q.sizeByPriority()).toEqual({ low: 0, normal: 0, high: 2, critical: 0 });
    const again = q.enqueue('b again', 'low', 1);
    expect(q.isQueued(again)).toBe(true);
    expect(drainAt(q, 1)).toEqual(['a', 'c', 'b again']);
  });

  it('given a dequeued job, when removed by its old ticket, then it reports false', () => {
    const q = given([['a', 'low', 0]]);
    q.dequeue(0);
    expect(q.remove(ticket('a'))).toBe(false);
    expect(q.remove(undefined)).toBe(false);
    expect(q.remove(12.5 as QueueTicket)).toBe(false);
    expect(q.remove(-1 as QueueTicket)).toBe(false);
  });

  it('given a stale ticket whose slot now holds another job, when removed, then the other job stays queued', () => {
    const q = given([['a', 'normal', 0]]);
    q.dequeue(0);
    const b = q.enqueue('b', 'normal', 1); // reuses a's freed slot
    expect(q.remove(ticket('a'))).toBe(false);
    expect(q.isQueued(b)).toBe(true);
    expect(q.dequeue(1)).toBe('b');
  });

  it('given a ticket from another queue, then this queue does not honour it unless it names a live job here', () => {
    const other = new JobPriorityQueue<string>({ agingIntervalMs: Infinity });
    const foreign = other.enqueue('x', 'low', 0);
    const q = given([]);
    expect(q.remove(foreign)).toBe(false);
    expect(other.remove(foreign)).toBe(true);
  });

  it('given removals of heads, tails and middles, then each level keeps its order', () => {
    const q = given([['h', 'normal', 0], ['m', 'normal', 0], ['t', 'normal', 0], ['x', 'normal', 0]]);
    q.remove(ticket('h'));
    q.remove(ticket('x'));
    q.enqueue('after', 'normal', 0);
    q.remove(ticket('m'));
    expect(drainAt(q, 0)).toEqual(['t', 'after']);
    expect(q.oldestEnqueuedAtMs()).toBeUndefined();
  });

  it('given a job with a non-finite time or an unknown priority, then it is refused and nothing is queued', () => {
    const q = given([]);
    expect(() => q.enqueue('z', 'high', NaN)).toThrow(RangeError);
    expect(() => q.enqueue('z', 'urgent' as Priority, 0)).toThrow(RangeError);
    expect(q.size).toBe(0);
  });

  it('given jobs of each priority, then sizeByPriority counts them by submitted priority', () => {
    const q = given([['l1', 'low', 0], ['l2', 'low', 0], ['n', 'normal', 9 * MIN], ['c', 'critical', 9 * MIN]], MIN);
    q.remove(ticket('l2'));
    expect(q.sizeByPriority()).toEqual({ low: 1, normal: 1, high: 0, critical: 1 });
    q.dequeue(10 * MIN); // the aged low job, not a critical one, leaves
    expect(q.sizeByPriority()).toEqual({ low: 0, normal: 1, high: 0, critical: 1 });
  });

  it('given jobs of two models, when one model is drained, then its jobs come back by priority and the rest stay', () => {
    const q = new JobPriorityQueue<{ model: string; id: string }>({ agingIntervalMs: MIN });
    const jobs = [['m1', 'a', 'low'], ['m2', 'b', 'high'], ['m1', 'c', 'critical'], ['m1', 'd', 'low'], ['m2', 'e', 'low']] as const;
    const byId = new Map(jobs.map(([model, id, p]) => [id, q.enqueue({ model, id }, p, 0)]));
    expect(q.drain((job) => job.model === 'm1').map((j) => j.id)).toEqual(['c', 'a', 'd']);
    expect(q.size).toBe(2);
    expect(q.isQueued(byId.get('a'))).toBe(false);
    expect(q.isQueued(byId.get('b'))).toBe(true);
    expect(q.sizeByPriority()).toEqual({ low: 1, normal: 0, high: 1, critical: 0 });
    expect(q.dequeueBatch(0, 10).map((j) => j.id)).toEqual(['b', 'e']);
  });

  it('given a drain predicate that throws, then nothing is drained', () => {
    const q = given([['a', 'low', 0], ['b', 'low', 0], ['c', 'high', 0]]);
    const failOnB = (id: string) => {
      if (id === 'b') throw new Error('boom');
      return true;
    };
    expect(() => q.drain(failOnB)).toThrow('boom');
    expect(q.size).toBe(3);
    expect(q.sizeByPriority()).toEqual({ low: 2, normal: 0, high: 1, critical: 0 });
    expect(drainAt(q, 0)).toEqual(['c', 'a', 'b']);
  });

  it('given more jobs than the batch size, when a batch is dequeued, then it holds the top jobs in order', () => {
    const q = given([['l', 'low', 0], ['n1', 'normal', 0], ['c', 'critical', 0], ['n2', 'normal', 0], ['h', 'high', 0]]);
    expect(q.dequeueBatch(0, 3)).toEqual(['c', 'h', 'n1']);
    expect(q.dequeueBatch(0, 3)).toEqual(['n2', 'l']);
    expect(q.dequeueBatch(0, 3)).toEqual([]);
  });

  it('given jobs, then oldestEnqueuedAtMs is the longest wait across levels', () => {
    const q = given([['n', 'normal', 500], ['l', 'low', 200], ['h', 'high', 900]], MIN);
    expect(q.oldestEnqueuedAtMs()).toBe(200);
    q.remove(ticket('l'));
    expect(q.oldestEnqueuedAtMs()).toBe(500);
    expect(given([]).oldestEnqueuedAtMs()).toBeUndefined();
  });
});

describe('JobPriorityQueue listing', () => {
  it('given jobs, when listed at a time, then the order is what dequeue would give at that time', () => {
    const q = given([['old-low', 'low', 0], ['n', 'normal', 90_000], ['c', 'critical', 90_000], ['h', 'high', 95_000]], MIN);
    const listed = [...q.entries(125_000)];
    expect(listed.map((e) => [e.item, e.priority, e.effectivePriority])).toEqual([
      ['c', 'critical', 'critical'],
      ['old-low', 'low', 'high'],
      ['h', 'high', 'high'],
      ['n', 'normal', 'normal'],
    ]);
    expect([...q.values(125_000)]).toEqual(drainAt(q, 125_000));
  });

  it('given jobs, when iterated with for…of, then the order is as of the latest time the queue was given', () => {
    const q = given([['old-low', 'low', 0], ['n', 'normal', MIN / 2]], MIN);
    expect([...q]).toEqual(['n', 'old-low']);
    q.enqueue('h', 'high', MIN); // one interval on, old-low has reached normal and is older than n
    expect([...q]).toEqual(['h', 'old-low', 'n']);
  });
});
