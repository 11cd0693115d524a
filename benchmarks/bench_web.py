"""Web app benchmarks: page interactive time and canvas animation in Chromium (Performance API),
and /api/simulate latency under concurrent clients on a loopback uvicorn server.

    .venv/bin/python benchmarks/bench_web.py [--quick]

1. page: navigation timing of `/?scenario=redis-cache` (cold, then warm with ETag revalidation):
   DOMContentLoaded, load, and `traceplay:first-trace` (the first trace drawn on the canvas).
2. animation: frames per second while a generated flow of 50 / 200 / 500 nodes plays, measured
   with requestAnimationFrame over 3 s, plus the longest frame.
3. server: /api/simulate over every built-in scenario and variant with 1 / 10 / 50 concurrent
   clients (httpx.AsyncClient, a bounded number of requests): p50, p99, throughput; peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

from traceplay.templates import template_ids

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = (
    "() => { const s = window.__traceplay && window.__traceplay.store.get();"
    " return s && s.trace && !s.loading; }"
)


@contextmanager
def server() -> Iterator[tuple[str, int]]:
    """`traceplay serve` in its own process (so the load generator does not share the server's GIL)
    on a free loopback port."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    traceplay = Path(sys.executable).with_name("traceplay")
    proc = subprocess.Popen([str(traceplay), "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/api/templates", timeout=60)  # also reads the scenarios once
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ 1. page interactive


def page_timings(page: Page, url: str) -> dict[str, float]:
    page.goto(url)
    page.wait_for_function(READY, timeout=30_000)
    data: dict[str, float] = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const mark = performance.getEntriesByName('traceplay:first-trace')[0];
          return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                   trace: mark ? mark.startTime : NaN,
                   requests: performance.getEntriesByType('resource').length };
        }"""
    )
    return data


def bench_page(base: str, runs: int) -> None:
    print("\n== page interactive: /?scenario=redis-cache (Chromium, localhost) ==")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        cold = []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            cold.append(page_timings(context.new_page(), f"{base}/?scenario=redis-cache"))
            context.close()
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page_timings(page, f"{base}/?scenario=redis-cache")
        warm = [page_timings(page, f"{base}/?scenario=redis-cache&variant=slow") for _ in range(runs)]
        context.close()
        browser.close()
    for name, rows in (("cold (empty cache)", cold), ("warm (ETag 304s)", warm)):
        print(
            f"  {name:20s} DOMContentLoaded {med(rows, 'dcl'):7.0f} ms   load {med(rows, 'load'):7.0f} ms"
            f"   first trace drawn {med(rows, 'trace'):7.0f} ms   ({int(rows[0]['requests'])} requests)"
        )


def med(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


# ------------------------------------------------------------------ 2. animation


def generated_flow(n: int) -> dict[str, Any]:
    """A ternary call tree of n nodes: services, stores and brokers (async below a broker)."""
    kinds = ["backend", "grpc", "postgresql", "redis", "kafka", "worker", "mongodb", "lambda"]
    nodes: list[dict[str, Any]] = [{"id": "n0", "component": "frontend", "label": "Client", "x": 0, "y": 0}]
    edges = []
    depth = {0: 0}
    per_level: dict[int, int] = {}
    for i in range(1, n):
        parent = (i - 1) // 3
        depth[i] = depth[parent] + 1
        row = per_level.get(depth[i], 0)
        per_level[depth[i]] = row + 1
        kind = kinds[i % len(kinds)]
        x, y = depth[i] * 240, row * 80
        nodes.append({"id": f"n{i}", "component": kind, "label": f"svc {i}", "x": x, "y": y})
        edges.append({"id": f"e{i}", "source": f"n{parent}", "target": f"n{i}", "operation": f"call {i}"})
        edges[-1]["step"] = i % 3
    # stores and brokers never call on: re-home their would-be children under the nearest service
    leafy = {"postgresql", "redis", "mongodb"}
    by_id = {nd["id"]: nd for nd in nodes}
    for e in edges:
        while by_id[e["source"]]["component"] in leafy:
            e["source"] = f"n{(int(e['source'][1:]) - 1) // 3}"
    return {"id": f"generated-{n}", "name": f"Generated {n} nodes", "nodes": nodes, "edges": edges}


def bench_animation(base: str, sizes: list[int]) -> None:
    print("\n== canvas animation: generated flows, playing at 0.25x (requestAnimationFrame over 3 s) ==")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.goto(f"{base}/?scenario=simple")
        page.wait_for_function(READY, timeout=30_000)
        for n in sizes:
            flow = generated_flow(n)
            page.evaluate(
                """(flow) => { const { store } = window.__traceplay; const s = store.get();
                   store.set({ scenarioId: null, original: null, flow, edited: true, faults: {}, speed: 0.25,
                               flowRev: s.flowRev + 1, fitRequest: s.fitRequest + 1 }); }""",
                flow,
            )
            page.wait_for_function(
                f"() => {{ const s = window.__traceplay.store.get(); return s.trace && s.trace.flow === "
                f"'generated-{n}' && !s.loading; }}",
                timeout=60_000,
            )
            stats = page.evaluate(
                """() => new Promise((resolve) => {
                  const { store, actions } = window.__traceplay;
                  actions.restart();
                  const elements = document.querySelectorAll('.canvas-svg *').length;
                  let frames = 0, worst = 0, last = 0, t0 = 0, maxDots = 0;
                  function frame(t) {
                    if (!t0) { t0 = t; last = t; }
                    else { frames++; worst = Math.max(worst, t - last); last = t; }
                    const dots = document.querySelectorAll('.dots .dot:not([style*="none"])').length;
                    maxDots = Math.max(maxDots, dots);
                    if (t - t0 < 3000) requestAnimationFrame(frame);
                    else resolve({ fps: frames * 1000 / (t - t0), worst, elements, maxDots,
                                   playing: store.get().playing, spans: store.get().trace.spans.length });
                  }
                  requestAnimationFrame(frame);
                })"""
            )
            page.evaluate("() => window.__traceplay.actions.pause()")
            print(
                f"  {n:4d} nodes  {stats['spans']:4d} spans  {stats['elements']:5d} SVG elements   "
                f"{stats['fps']:5.1f} fps   longest frame {stats['worst']:6.1f} ms   "
                f"up to {stats['maxDots']} dots in flight   still playing: {stats['playing']}"
            )
        browser.close()


# ------------------------------------------------------------------ 3. server


async def hammer(base: str, concurrency: int, total: int) -> tuple[list[float], float]:
    bodies = [{"template": t, "variant": v} for t in template_ids() for v in ("success", "slow", "error")]
    latencies: list[float] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # TCP_NODELAY: without it, Nagle + delayed ACK add ~40 ms to every request with a body
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=60) as client:

        async def worker() -> None:
            for i in counter:
                t = time.perf_counter()
                r = await client.post("/api/simulate", json=bodies[i % len(bodies)])
                latencies.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed


def bench_server(base: str, pid: int, total: int) -> None:
    print(f"\n== /api/simulate over {len(template_ids())} built-ins x 3 variants ({total} requests each) ==")
    for concurrency in (1, 10, 50):
        lat, elapsed = asyncio.run(hammer(base, concurrency, total))
        lat.sort()
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(
            f"  {concurrency:3d} clients   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   "
            f"max {lat[-1]:7.1f} ms   {len(lat) / elapsed:7.0f} req/s"
        )
    print(f"  server peak RSS: {peak_rss_mb(pid):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and requests")
    opts = parser.parse_args()
    with server() as (base, pid):
        bench_page(base, runs=2 if opts.quick else 5)
        bench_animation(base, [50, 200] if opts.quick else [50, 200, 500])
        bench_server(base, pid, total=200 if opts.quick else 1000)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
