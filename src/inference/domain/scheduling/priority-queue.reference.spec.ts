import { describe, expect, it } from '@jest/globals';
import { effectiveRank } from './aging.js';
import { PRIORITIES, type Priority } from './priority.js';
import { JobPriorityQueue, type QueueTicket } from './priority-queue.js';

// The queue against the rules written naively, and under the dispatcher's steady flow.
const MIN = 60_000;

describe('JobPriorityQueue against a reference model', () => {
  // Small deterministic PRNG (mulberry32), so that a failure reproduces.
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([1, 2, 3])('given random enqueues, cancels and dequeues (seed %p), then every dequeue matches the naive order', (seed) => {
    const interval = 1_000;
    const random = rng(seed);
    const q = new JobPriorityQueue<string>({ agingIntervalMs: interval });
    type Ref = { key: string; rank: number; at: number; seq: number; ticket: QueueTicket };
    const ref: Ref[] = [];
    // The naive order, straight from the rules: effective rank, then longer wait, then submitted rank, then FIFO.
    const before = (a: Ref, b: Ref, now: number) => {
      const ea = effectiveRank(a.rank, now - a.at, interval);
      const eb = effectiveRank(b.rank, now - b.at, interval);
      return ea !== eb ? ea > eb : a.at !== b.at ? a.at < b.at : a.rank !== b.rank ? a.rank > b.rank : a.seq < b.seq;
    };
    let now = 0;
    let seq = 0;
    for (let step = 0; step < 4_000; step++) {
      now += Math.floor(random() * 40);
      // Alternate growing and cancel-heavy phases, so that slots are freed and reused in every pattern.
      const [pEnqueue, pRemove] = step % 1_000 < 500 ? [0.7, 0.2] : [0.2, 0.6];
      const r = random();
      if (r < pEnqueue || ref.length === 0) {
        const key = `j${seq}`;
        const rank = Math.floor(random() * 4);
        const t = q.enqueue(key, PRIORITIES[rank] as Priority, now);
        ref.push({ key, rank, at: now, seq: seq++, ticket: t });
      } else if (r < pEnqueue + pRemove) {
        const victim = ref.splice(Math.floor(random() * ref.length), 1)[0]!;
        if (!q.remove(victim.ticket)) throw new Error(`step ${step}: ${victim.key} was not removable`);
      } else {
        let best = 0;
        for (let i = 1; i < ref.length; i++) if (before(ref[i]!, ref[best]!, now)) best = i;
        const [want] = ref.splice(best, 1);
        const got = q.dequeue(now);
        if (got !== want!.key) expect({ step, got }).toEqual({ step, got: want!.key }); // expect() only on failure: it is slow
      }
      if (q.size !== ref.length) expect({ step, size: q.size }).toEqual({ step, size: ref.length });
    }
  });

  it('given long runs of cancels and dequeues, then the FIFO keeps its order through slot reuse', () => {
    const q = new JobPriorityQueue<number>({ agingIntervalMs: MIN });
    const t: QueueTicket[] = [];
    for (let i = 0; i < 3_000; i++) t.push(q.enqueue(i, 'normal', 0));
    for (let i = 0; i < 3_000; i++) if (i % 3 !== 0) q.remove(t[i]);
    expect(q.dequeueBatch(0, 500)).toEqual(Array.from({ length: 500 }, (_, i) => i * 3));
    for (let i = 3_000; i < 4_500; i++) q.enqueue(i, 'normal', 0);
    const rest = q.dequeueBatch(0, 10_000);
    expect(rest).toEqual([...Array.from({ length: 500 }, (_, i) => 1_500 + i * 3), ...Array.from({ length: 1_500 }, (_, i) => 3_000 + i)]);
    expect(q.size).toBe(0);
  });
});

describe('JobPriorityQueue steady state', () => {
  it('given about 32 live jobs, when one is enqueued and one dequeued many times, then order, counts and aging hold', () => {
    // The dispatcher's usual shape: a shallow queue that jobs flow through.
    const q = new JobPriorityQueue<number>({ agingIntervalMs: 1_000 });
    const enqueuedAt: number[] = [];
    let next = 0;
    const put = (now: number) => {
      enqueuedAt[next] = now;
      q.enqueue(next, PRIORITIES[next % 4] as Priority, now);
      next++;
    };
    for (let i = 0; i < 32; i++) put(0);
    const out: number[] = [];
    for (let step = 1; step <= 20_000; step++) {
      put(step);
      out.push(q.dequeue(step)!);
    }
    expect(q.size).toBe(32);
    expect(q.capacity).toBe(33); // nodes are reused: nothing was allocated after the peak
    const counts = q.sizeByPriority();
    expect(counts.low + counts.normal + counts.high + counts.critical).toBe(32);
    // Every job left once, and none waited far past the point where aging lifts it to critical.
    expect(new Set(out).size).toBe(20_000);
    const longestWait = Math.max(...out.map((job, i) => i + 1 - enqueuedAt[job]!));
    expect(longestWait).toBeLessThan(3_000 + 64);
    // Within one level, FIFO: ids of one priority leave in increasing order.
    for (let p = 0; p < 4; p++) {
      const level = out.filter((job) => job % 4 === p);
      expect(level).toEqual([...level].sort((a, b) => a - b));
    }
  });

  it('given a queue that has reached its peak depth, when jobs keep flowing, then cancels through tickets keep the counts exact', () => {
    const q = new JobPriorityQueue<number>({ agingIntervalMs: Infinity });
    const live = new Map<number, QueueTicket>();
    let next = 0;
    for (let i = 0; i < 32; i++, next++) live.set(next, q.enqueue(next, 'normal', 0));
    for (let step = 0; step < 5_000; step++, next++) {
      live.set(next, q.enqueue(next, PRIORITIES[step % 4] as Priority, step));
      if (step % 2 === 0) {
        const victim = live.keys().next().value!;
        expect(q.remove(live.get(victim))).toBe(true);
        live.delete(victim);
      } else {
        live.delete(q.dequeue(step)!);
      }
      if (q.size !== live.size) expect({ step, size: q.size }).toEqual({ step, size: live.size });
    }
    const counts = q.sizeByPriority();
    expect(counts.low + counts.normal + counts.high + counts.critical).toBe(live.size);
    expect(q.capacity).toBe(33);
    expect(new Set(q.dequeueBatch(5_000, 1_000))).toEqual(new Set(live.keys()));
  });
});
