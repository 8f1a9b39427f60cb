"""Baseline for bench/queue/queue-bench.ts: the queue the upstream ModelMora proof
of concept validated, asyncio.PriorityQueue, driven the same way as ours.

Each round puts N items (-priority_rank, seq, payload) with put_nowait, then takes
them all with get_nowait; ops = 2N. Items are built before the clock starts, as
the TypeScript side does, so both measure only the queue.
"""
import argparse
import asyncio
import json
import statistics
import time

PRIORITIES = ("low", "normal", "high", "critical")


def build_items(n):
    # seq % 4 picks the priority: the same deterministic mix as queue-bench.ts.
    return [(-(seq % 4), seq, {"job_id": f"job-{seq}", "priority": PRIORITIES[seq % 4]}) for seq in range(n)]


async def one_round(items):
    queue = asyncio.PriorityQueue()
    start = time.perf_counter()
    for item in items:
        queue.put_nowait(item)
    taken = 0
    while not queue.empty():
        queue.get_nowait()
        taken += 1
    elapsed = time.perf_counter() - start
    if taken != len(items):
        raise RuntimeError(f"took {taken} of {len(items)} items")
    return 2 * len(items) / elapsed


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=0, help="untimed rounds first (allocator warm-up)")
    args = parser.parse_args()
    items = build_items(args.items)
    for _ in range(args.warmup):
        await one_round(items)
    rounds = [await one_round(items) for _ in range(args.rounds)]
    print(json.dumps({"ops_per_sec_median": statistics.median(rounds), "rounds": rounds}))


if __name__ == "__main__":
    asyncio.run(main())
