"""The learning loop on flows of 1,000, 10,000 and 100,000 nodes: compare, narrate, quiz questions, fix
offers.

Traces come from generated flows — a mixed binary tree with queues, retries and timeouts (timeouts cut
some subtrees, so it makes about a fifth as many spans as nodes) and a deep chain (one span per node) —
run in two variants so ``compare`` has real differences to find. Prints the median CPU time (process
time: the machine is shared, and wall time would measure the neighbours) and the peak memory
(tracemalloc) of each step. Time may grow at most 12x per 10x input.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from traceplay.domain.analysis import analyze
from traceplay.domain.compare import compare
from traceplay.domain.fixes import fixes_for
from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.narrate import narrate
from traceplay.domain.quiz import questions
from traceplay.domain.simulate import simulate

SIZES = (1_000, 10_000, 100_000)
LIMITS = Limits(max_nodes=1_000_000, max_edges=1_000_000)


def _flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], slow: str) -> Flow:
    variants = {"success": {}, "slow": {"nodes": {slow: {"latency_ms": 900}}}}
    data = {"id": "bench", "name": "bench", "nodes": nodes, "edges": edges, "variants": variants}
    return parse_flow(data, limits=LIMITS)


def mixed(n: int) -> Flow:
    comps = ("backend", "postgresql", "sqs")
    nodes = [
        {"id": f"n{i}", "component": comps[i % 3] if i else "frontend", "latency_ms": 1 + i % 7}
        for i in range(n)
    ]
    edges = []
    for i in range(1, n):
        e: dict[str, Any] = {"id": f"e{i}", "source": f"n{(i - 1) // 2}", "target": f"n{i}", "step": i % 2}
        if i % 5 == 0:
            e["retries"] = 1
        if i % 7 == 0:
            e["timeout_ms"] = 50
        edges.append(e)
    return _flow(nodes, edges, slow=f"n{n // 2}")


def deep(n: int) -> Flow:
    nodes = [{"id": f"n{i}", "component": "backend", "latency_ms": 1} for i in range(n)]
    edges = [{"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"} for i in range(n - 1)]
    return _flow(nodes, edges, slow=f"n{n - 1}")


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6


def main() -> None:
    print("learn: shape        step            nodes      spans    time (median)   peak memory   growth")
    for name, make in (("mixed tree", mixed), ("deep chain", deep)):
        previous: dict[str, float] = {}
        for n in SIZES:
            f = make(n)
            base, slow = simulate(f, "success"), simulate(f, "slow")
            analysis = analyze(slow, f)
            repeat = 3 if n < 100_000 else 1
            steps: list[tuple[str, Callable[[], object]]] = [
                ("compare", lambda b=base, s=slow: compare(b, s)),
                ("narrate", lambda s=slow, f=f: narrate(s, f)),
                ("questions", lambda s=slow, a=analysis: questions(s, a)),
            ]
            if n <= 10_000:  # fixes re-simulate the flow per variant: measured up to 10k
                steps.append(("fixes_for", lambda s=slow, f=f, a=analysis: fixes_for(f, s, a)))
            for step, fn in steps:
                t, mem = measure(fn, repeat)
                growth = f"{t / previous[step]:.1f}x" if step in previous and previous[step] > 0 else ""
                previous[step] = t
                spans = len(slow.spans)
                took = f"{t * 1000:10.1f} ms"
                print(
                    f"learn: {name:12} {step:12} {n:>8,} {spans:>8,}   {took}   {mem:8.1f} MB   {growth}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
