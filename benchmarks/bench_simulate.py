"""Simulate generated flows of 100, 1,000 and 10,000 nodes: wide fan-out, deep chain, mixed sync/async.

Prints the time and the peak memory of each run. Target on a 2-core machine: 10,000 nodes in under
0.5 s and 200 MB. Time may grow at most 12x per 10x input.
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

from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.simulate import simulate
from traceplay.templates import all_templates

SIZES = (100, 1_000, 10_000)
LIMITS = Limits(max_nodes=1_000_000, max_edges=1_000_000)


def _flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Flow:
    return parse_flow({"id": "bench", "name": "bench", "nodes": nodes, "edges": edges}, limits=LIMITS)


def wide(n: int) -> Flow:
    nodes = [{"id": "root", "component": "backend", "latency_ms": 5}]
    nodes += [{"id": f"n{i}", "component": "postgresql", "latency_ms": 3} for i in range(n - 1)]
    edges = [{"id": f"e{i}", "source": "root", "target": f"n{i}", "step": i % 10} for i in range(n - 1)]
    return _flow(nodes, edges)


def deep(n: int) -> Flow:
    nodes = [{"id": f"n{i}", "component": "backend", "latency_ms": 1} for i in range(n)]
    edges = [{"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"} for i in range(n - 1)]
    return _flow(nodes, edges)


def mixed(n: int) -> Flow:
    """A binary tree where every third node is a queue (async hop) and some calls retry or time out."""
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
    return _flow(nodes, edges)


def measure(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6


def main() -> None:
    print("simulate: shape       nodes      spans    time (median of 3)   peak memory")
    for name, make in (("wide fan-out", wide), ("deep chain", deep), ("mixed", mixed)):
        previous = None
        for n in SIZES:
            flow = make(n)
            spans = len(simulate(flow).spans)
            seconds, mb = measure(lambda flow=flow: simulate(flow))
            growth = f"  ×{seconds / previous:.1f} per 10× input" if previous else ""
            print(f"  {name:<14} {n:>8,} {spans:>10,} {seconds * 1000:>12.1f} ms {mb:>14.1f} MB{growth}")
            previous = seconds
    flows = all_templates()
    t0 = time.perf_counter()
    runs = sum(1 for f in flows for v in f.variants if simulate(f, v))
    print(f"  all built-in scenarios: {runs} simulations in {(time.perf_counter() - t0) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
