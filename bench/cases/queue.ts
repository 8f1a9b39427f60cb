/**
 * The in-process JobPriorityQueue against Python's asyncio.PriorityQueue and a bare
 * heapq (bench/queue, same items, same mix): fill-and-drain, and the steady state at
 * a realistic depth (STEADY_DEPTH live jobs, put one, take one).
 */
import { STEADY_DEPTH, benchQueue, median } from '../queue/queue-bench.js';
import type { BenchCase } from '../support/bench-context.js';
import { result, withTarget } from '../support/stats.js';

export const queueCase: BenchCase = {
  name: 'queue',
  async run(ctx) {
    const items = ctx.quick ? 50_000 : 100_000;
    const steady = ctx.quick ? 200_000 : 500_000;
    const rounds = ctx.quick ? 3 : 5;
    const r = await benchQueue({ items, steady, rounds });
    const fillNote = `${items} items x ${rounds} rounds, 4 priorities, aging on`;
    const steadyNote = `${STEADY_DEPTH} live jobs, ${steady} put+take pairs x ${rounds} rounds`;
    return [
      withTarget(result('queue.fill_drain', 'ops/s', true, median(r.ours_fill), { name: 'python3 asyncio.PriorityQueue', value: median(r.asyncio_fill) }, fillNote), { ratioAtLeast: 5 }),
      withTarget(result('queue.fill_drain', 'ops/s', true, median(r.ours_fill), { name: 'python3 heapq', value: median(r.heapq_fill) }), { ratioAtLeast: 1 }),
      withTarget(result('queue.steady_state', 'ops/s', true, median(r.ours_steady), { name: 'python3 asyncio.PriorityQueue', value: median(r.asyncio_steady) }, steadyNote), { ratioAtLeast: 5 }),
      withTarget(result('queue.steady_state', 'ops/s', true, median(r.ours_steady), { name: 'python3 heapq', value: median(r.heapq_steady) }), { ratioAtLeast: 1 }),
    ];
  },
};
