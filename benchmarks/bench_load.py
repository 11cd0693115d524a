"""Load test on loopback: 50 concurrent clients for 30 s against /api/simulate and /api/analyze.

    .venv/bin/python benchmarks/bench_load.py            # 30 s (on to 10,000 requests, 300 s at most)
    .venv/bin/python benchmarks/bench_load.py --quick    # 5 s smoke run
    .venv/bin/python benchmarks/bench_load.py --duration 60 --clients 100

A uvicorn server runs ``create_app()`` in this process (its own thread and event loop) on a free
127.0.0.1 port; ``--clients`` httpx.AsyncClient workers send, round-robin over every built-in
scenario and its variants, the page's own requests: POST /api/simulate {template, variant}, POST
/api/analyze {template, variant} and POST /api/analyze {trace, template, variant} (the trace the page
just simulated). Printed: errors (must be zero: any non-200 or transport error), p50 / p99 per route,
requests per second, and the process' RSS at 0, 5,000 and 10,000 requests, which must stay flat (the
server keeps nothing between requests). Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from traceplay.cli.serve import listen_socket
from traceplay.domain.simulate import simulate
from traceplay.templates import get_template, template_ids
from traceplay.web.app import create_app

CHECKPOINTS = (0, 5_000, 10_000)
QUICK_CHECKPOINTS = (0, 150, 300)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """uvicorn serving create_app() on a free loopback port, in a thread of this process."""

    def __init__(self) -> None:
        self.sock = listen_socket("127.0.0.1", 0)
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(create_app(), log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        httpx.get(f"{self.url}/api/templates", timeout=60).raise_for_status()  # scenarios read once
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


def workload() -> list[tuple[str, bytes]]:
    """(route, body) for every built-in scenario and variant: simulate, analyze by id, analyze a trace."""
    out = []
    for tid in template_ids():
        flow = get_template(tid)
        for variant in flow.variants or {"success": None}:
            ref = {"template": tid, "variant": variant}
            trace = simulate(flow, variant).model_dump(mode="json")
            out.append(("/api/simulate", orjson.dumps(ref)))
            out.append(("/api/analyze", orjson.dumps(ref)))
            out.append(("/api/analyze", orjson.dumps({"trace": trace, **ref})))
    return out


@dataclass
class Run:
    checkpoints: tuple[int, ...]
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    done: int = 0
    rss: dict[int, float] = field(default_factory=dict)
    elapsed: float = 0.0

    def record(self, route: str, seconds: float) -> None:
        self.latencies[route].append(seconds)
        self.done += 1
        if self.done in self.checkpoints:
            self.rss[self.done] = rss_mb()


async def worker(
    client: httpx.AsyncClient, jobs: Any, run: Run, stop_at: float, min_requests: int, hard_stop: float
) -> None:
    """Requests until the duration is over and the last checkpoint reached; never past hard_stop."""
    headers = {"content-type": "application/json"}
    while (time.monotonic() < stop_at or run.done < min_requests) and time.monotonic() < hard_stop:
        route, body = next(jobs)
        began = time.perf_counter()
        try:
            response = await client.post(route, content=body, headers=headers)
        except httpx.HTTPError as exc:
            run.errors.append(f"{route}: {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            run.errors.append(f"{route}: {response.status_code} {response.text[:200]}")
            continue
        run.record(route, elapsed)


async def load(url: str, clients: int, duration: float, checkpoints: tuple[int, ...], cap: float) -> Run:
    run = Run(checkpoints)
    run.rss[0] = rss_mb()
    jobs = itertools.cycle(workload())
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        stop_at, hard_stop = began + duration, began + cap
        tasks = [worker(client, jobs, run, stop_at, checkpoints[-1], hard_stop) for _ in range(clients)]
        await asyncio.gather(*tasks)
    run.elapsed = time.monotonic() - began
    return run


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def report(run: Run, clients: int) -> None:
    elapsed = run.elapsed
    total = run.done + len(run.errors)
    print(f"{clients} clients, {elapsed:.1f} s, {total:,} requests, {run.done / elapsed:,.0f} req/s")
    print(f"errors: {len(run.errors)}")
    for line in run.errors[:10]:
        print(f"  {line}")
    print(f"{'route':<16} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for route, values in sorted(run.latencies.items()):
        print(
            f"{route:<16} {len(values):>9,} {pct(values, 0.5):>8.1f} {pct(values, 0.99):>8.1f} "
            f"{max(values) * 1000:>8.1f}"
        )
    print("RSS of the process (server + load generator):")
    for n in run.checkpoints:
        value = run.rss.get(n)
        print(f"  after {n:>6,} requests: " + (f"{value:.1f} MB" if value is not None else "not reached"))
    mid, last = run.rss.get(run.checkpoints[1]), run.rss.get(run.checkpoints[2])
    if mid is not None and last is not None:
        growth = last - mid
        print(
            f"  growth over the last {run.checkpoints[2] - run.checkpoints[1]:,} requests: {growth:+.1f} MB"
        )
    every = [v for values in run.latencies.values() for v in values]
    mean = statistics.fmean(every) * 1000
    print(f"all routes: mean {mean:.1f} ms, p50 {pct(every, 0.5):.1f} ms, p99 {pct(every, 0.99):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 5 s smoke run (RSS at 0, 150, 300 requests)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default 30)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    args = parser.parse_args()
    duration = args.duration or (5.0 if args.quick else 30.0)
    checkpoints = QUICK_CHECKPOINTS if args.quick else CHECKPOINTS
    cap = max(300.0, duration * 10)  # a hard bound on the whole run: it always stops by itself
    with Server() as server:
        run = asyncio.run(load(server.url, args.clients, duration, checkpoints, cap))
    report(run, args.clients)
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
