"""Import benchmark: generated Jaeger and OTLP files of 1k / 10k / 100k spans.

Prints, per format and size: file size, the import time (parse + convert + assemble, gc paused as
the CLI and the API do; wall and CPU seconds), the time of a bare ``orjson.loads`` of the same bytes
and the ratio of their CPU times (steady on a shared machine, where wall times swing), the
peak memory of the import and of the bare ``orjson.loads`` (tracemalloc, separate runs: most of the
peak is the parser's own), and the export time back to the format.
Target (issue 7): 100,000 spans import in under 3 s for each format.

Run: .venv/bin/python benchmarks/bench_formats.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from traceplay.domain.trace import Span, Trace, trusted
from traceplay.formats import dump_trace, load_trace

T = TypeVar("T")
SERVICES = ("frontend", "api-gateway", "orders", "payments", "inventory", "postgres", "redis", "kafka")
KINDS = ("server", "client", "internal", "producer", "consumer")


def generated_trace(n: int) -> Trace:
    """A deterministic trace of n spans: a wide and deep tree (each span has up to 4 children),
    attributes of every type, an event on every 10th span and a link on every 50th."""
    spans = []
    for i in range(n):
        parent = (i - 1) // 4 if i else None
        depth = 0 if i == 0 else (i.bit_length() // 2)
        start = float(depth * 2 + (i % 4) * 0.25)
        attrs: dict[str, object] = {
            "http.request.method": "GET",
            "http.response.status_code": 200,
            "retry": i % 3 == 0,
            "ratio": i / (n or 1),
            "tags": ["a", "b"],
        }
        spans.append(
            trusted(
                Span,
                {
                    "span_id": f"{i + 1:016x}",
                    "parent_id": f"{parent + 1:016x}" if parent is not None else None,
                    "node_id": None,
                    "edge_id": None,
                    "service": SERVICES[i % len(SERVICES)],
                    "component": None,
                    "operation": f"GET /items/{i % 97}",
                    "kind": KINDS[i % len(KINDS)] if i else "server",
                    "start_ms": start,
                    "duration_ms": 1.5,
                    "status": "error" if i % 101 == 0 and i else "ok",
                    "error": "boom" if i % 101 == 0 and i else None,
                    "attributes": attrs,
                    "events": [],
                    "links": [],
                },
            )
        )
    return trusted(
        Trace,
        {
            "trace_id": "0af7651916cd43dd8448eb211c80319c",
            "flow": None,
            "variant": None,
            "response_ms": 1.5,
            "duration_ms": 40.0,
            "status": "ok",
            "spans": spans,
            "faults": {},
            "seed": None,
        },
    )


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float, float]:
    """(result, wall seconds, CPU seconds of this process: on a shared machine the honest one)."""
    gc.collect()
    gc.disable()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        return result, time.perf_counter() - t0, time.process_time() - c0
    finally:
        gc.enable()


def peak_mb(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        gc.disable()
        fn(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        gc.enable()
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(
        f"{'format':8} {'spans':>8} {'MB':>7} {'import s':>9} {'cpu s':>6} {'loads s':>8} {'cpu s':>6} "
        f"{'ratio':>6} {'peak MB':>8} {'loads MB':>9} {'export s':>9}"
    )
    previous: dict[str, float] = {}
    for n in sizes:
        trace = generated_trace(n)
        for fmt in ("jaeger", "otlp"):
            data = orjson.dumps(dump_trace(trace, fmt))
            (imported, name, _), t_import, cpu_import = timed(
                load_trace, data, max_spans=max(n, 200_000), max_bytes=len(data)
            )
            assert name == fmt and len(imported.spans) == n
            _, t_loads, cpu_loads = timed(orjson.loads, data)
            peak = peak_mb(load_trace, data, max_spans=max(n, 200_000), max_bytes=len(data))
            loads_peak = peak_mb(orjson.loads, data)
            _, t_export, _ = timed(lambda: orjson.dumps(dump_trace(imported, fmt)))  # noqa: B023
            growth = f"  ×{cpu_import / previous[fmt]:.1f} for 10× spans" if fmt in previous else ""
            previous[fmt] = cpu_import
            print(
                f"{fmt:8} {n:>8,} {len(data) / 1e6:>7.1f} {t_import:>9.3f} {cpu_import:>6.2f} "
                f"{t_loads:>8.3f} {cpu_loads:>6.2f} {cpu_import / cpu_loads:>6.1f} {peak:>8.1f} "
                f"{loads_peak:>9.1f} {t_export:>9.3f}{growth}"
            )


if __name__ == "__main__":
    main()
