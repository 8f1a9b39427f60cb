"""Baselines for bench/queue/queue-bench.ts, driven the same way as ours:

- asyncio.PriorityQueue: the queue the upstream ModelMora proof of concept validated;
- bare heapq on a list: the floor of a Python priority queue (no locks, no futures).

Two shapes, items (-priority_rank, seq, payload) built before the clock starts:
- fill: put N items, then take them all; ops = 2N;
- steady: DEPTH items queued, then N times put one and take one; ops = 2N.
Prints one JSON object: ops per second of CPU time (process_time: on a shared
machine wall time would count other processes' time slices) per (queue, shape)
for each timed round.
"""
import argparse
import asyncio
import heapq
import json
import time

PRIORITIES = ("low", "normal", "high", "critical")


def build_items(n):
    # seq % 4 picks the priority: the same deterministic mix as queue-bench.ts.
    return [(-(seq % 4), seq, {"job_id": f"job-{seq}", "priority": PRIORITIES[seq % 4]}) for seq in range(n)]


def asyncio_fill(items):
    queue = asyncio.PriorityQueue()
    put, get = queue.put_nowait, queue.get_nowait
    start = time.process_time()
    for item in items:
        put(item)
    while not queue.empty():
        get()
    return 2 * len(items) / (time.process_time() - start)


def heapq_fill(items):
    heap = []
    push, pop = heapq.heappush, heapq.heappop
    start = time.process_time()
    for item in items:
        push(heap, item)
    while heap:
        pop(heap)
    return 2 * len(items) / (time.process_time() - start)


def asyncio_steady(prefill, items):
    queue = asyncio.PriorityQueue()
    put, get = queue.put_nowait, queue.get_nowait
    for item in prefill:
        put(item)
    start = time.process_time()
    for item in items:
        put(item)
        get()
    return 2 * len(items) / (time.process_time() - start)


def heapq_steady(prefill, items):
    heap = list(prefill)
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    start = time.process_time()
    for item in items:
        push(heap, item)
        pop(heap)
    return 2 * len(items) / (time.process_time() - start)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000, help="fill-and-drain size")
    parser.add_argument("--steady", type=int, default=500_000, help="steady-state put+take pairs")
    parser.add_argument("--depth", type=int, default=32, help="live items during the steady state")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (allocator warm-up)")
    args = parser.parse_args()
    fill = build_items(args.items)
    steady = build_items(args.depth + args.steady)
    prefill, flow = steady[: args.depth], steady[args.depth :]
    out = {"asyncio_fill": [], "heapq_fill": [], "asyncio_steady": [], "heapq_steady": []}
    for r in range(args.warmup + args.rounds):
        figures = {
            "asyncio_fill": asyncio_fill(fill),
            "heapq_fill": heapq_fill(fill),
            "asyncio_steady": asyncio_steady(prefill, flow),
            "heapq_steady": heapq_steady(prefill, flow),
        }
        if r >= args.warmup:
            for k, v in figures.items():
                out[k].append(v)
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
