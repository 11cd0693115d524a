"""Analysis benchmark: ``analyze`` on generated traces of 1k / 10k / 100k spans.

Three shapes per size: a *mixed* simulated trace (a tree of services, stores and queues with repeats,
retries, timeouts and async consumers — every rule has something to look at), a *deep chain* (one
call inside the other, 100,000 deep at the top size) and a *wide fan-out* (one span calling all the
others at once). Prints the median wall and CPU time (``analyze`` pauses the collector above 10k
spans), the peak memory of one run (tracemalloc, a separate run), the number of findings and the
growth of the CPU time per 10x input (at most 12x). On a shared machine the CPU time is the steadier
figure: wall time there includes waiting for a core. Target (issue 4): 100,000 spans in under 2 s and
500 MB.

Run: .venv/bin/python benchmarks/bench_analyze.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from traceplay.domain.analysis import analyze
from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace

TARGET_S = 2.0
TARGET_MB = 500.0
LIMITS = Limits(max_nodes=1_000_000, max_edges=1_000_000)
COMPONENTS = ("backend", "postgresql", "redis", "backend", "sqs", "worker", "stripe", "grpc")


def mixed(n: int) -> Trace:
    """A simulated trace of about n spans from a generated flow: a 3-ary tree of services whose calls
    alternate between two steps, stores called three times in a row (N+1), retried and timed-out calls
    to a payment API, queues with async consumers, and a few failures (handled, so the tree goes on)."""
    nodes_n = max(4, n * 10 // 12)
    leaves_from = nodes_n // 3
    nodes: list[dict[str, Any]] = [{"id": "n0", "component": "frontend", "latency_ms": 5}]
    edges: list[dict[str, Any]] = []
    for i in range(1, nodes_n):
        comp = COMPONENTS[i % len(COMPONENTS)]
        leaf = i >= leaves_from
        nodes.append({"id": f"n{i}", "component": comp, "latency_ms": 60 if comp == "stripe" else 1 + i % 13})
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "source": f"n{(i - 1) // 3}",
            "target": f"n{i}",
            "operation": f"call {comp} {i % 17}",
            "step": i % 2,
            "on_error": "handled",
        }
        if comp == "postgresql" and leaf:
            edge["repeat"] = 3
        if comp == "stripe" and leaf:
            edge.update(retries=1, timeout_ms=40, retry_backoff_ms=10)
        edges.append(edge)
    faults = {f"n{i}": "error" for i in range(leaves_from + 5, nodes_n, 97)}
    data = {"id": "bench", "name": "bench", "nodes": nodes, "edges": edges}
    flow: Flow = parse_flow(data, limits=LIMITS)
    return simulate(flow, "success", faults=faults, max_spans=10 * n)


def _span(i: int, parent: int | None, start: float, dur: float, service: str) -> Span:
    return Span.model_construct(
        span_id=f"{i + 1:016x}",
        parent_id=f"{parent + 1:016x}" if parent is not None else None,
        node_id=None,
        edge_id=None,
        service=service,
        component=None,
        operation=f"GET /items/{i % 50}",
        kind="server",
        start_ms=start,
        duration_ms=dur,
        status="error" if i % 997 == 5 else "ok",
        error="boom" if i % 997 == 5 else None,
        attributes={},
        events=[],
        links=[],
    )


def _trace(spans: list[Span]) -> Trace:
    end = max(s.start_ms + s.duration_ms for s in spans)
    return Trace.model_construct(
        trace_id="b" * 32, flow=None, variant=None, response_ms=spans[0].duration_ms, duration_ms=end,
        status=spans[0].status, spans=spans, faults={}, seed=None,
    )  # fmt: skip


def deep_chain(n: int) -> Trace:
    spans = [_span(i, i - 1 if i else None, float(i), float(2 * (n - i)), f"svc{i % 9}") for i in range(n)]
    return _trace(spans)


def wide_fan_out(n: int) -> Trace:
    kids = [_span(i, 0, 1.0 + (i % 10), 5.0 + (i % 37), f"svc{i % 50}") for i in range(1, n)]
    return _trace([_span(0, None, 0.0, 60.0, "gateway"), *kids])


SHAPES: tuple[tuple[str, Callable[[int], Trace]], ...] = (
    ("mixed", mixed),
    ("deep chain", deep_chain),
    ("wide fan-out", wide_fan_out),
)


def measure(trace: Trace, repeat: int) -> tuple[float, float, float, int]:
    """Median wall time, median CPU time (what this process used: steadier on a shared machine),
    peak memory of one run, and the number of findings."""
    walls, cpus = [], []
    findings = 0
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        findings = len(analyze(trace).findings)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    gc.collect()
    tracemalloc.start()
    analyze(trace)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(walls), statistics.median(cpus), peak / 1e6, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(
        "analyze: shape          spans   wall (median)    cpu (median)   peak memory   findings   cpu growth"
    )
    worst_big = (0.0, 0.0, 0.0)
    for name, make in SHAPES:
        previous = None
        for n in sizes:
            trace = make(n)
            wall, cpu, mem, found = measure(trace, 5 if n < 100_000 else 3)
            growth = f"{cpu / previous:.1f}x" if previous else ""
            previous = cpu
            print(
                f"analyze: {name:12} {len(trace.spans):>9,}   {wall * 1000:10.1f} ms   {cpu * 1000:10.1f} ms"
                f"   {mem:8.1f} MB   {found:8}   {growth}"
            )
            if len(trace.spans) >= 100_000:
                worst_big = (max(worst_big[0], wall), max(worst_big[1], cpu), max(worst_big[2], mem))
    if worst_big != (0.0, 0.0, 0.0):
        wall, cpu, mem = worst_big
        verdict = "within" if cpu < TARGET_S and mem < TARGET_MB else "OVER"
        print(
            f"analyze: 100k spans, worst case: {cpu:.2f} s CPU ({wall:.2f} s wall), {mem:.0f} MB — {verdict} "
            "the target of 2 s and 500 MB"
        )


if __name__ == "__main__":
    main()
