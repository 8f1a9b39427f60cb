/** The in-process JobPriorityQueue vs Python's asyncio.PriorityQueue (bench/queue, same N, same mix). */
import { benchQueue, median } from '../queue/queue-bench.js';
import type { BenchCase } from '../support/bench-context.js';
import { result } from '../support/stats.js';

export const queueCase: BenchCase = {
  name: 'queue',
  async run(ctx) {
    const items = ctx.quick ? 50_000 : 100_000;
    const rounds = ctx.quick ? 3 : 5;
    const { ours, python } = await benchQueue({ items, rounds });
    return [
      result('queue.enqueue_dequeue', 'ops/s', true, median(ours), { name: 'python3 asyncio.PriorityQueue', value: median(python) }, `${items} items x ${rounds} rounds, 4 priorities, aging on`),
    ];
  },
};
