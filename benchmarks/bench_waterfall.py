"""The waterfall and the spans list in Chromium at 1,000 / 10,000 / 100,000 spans.

Traces are generated in the Trace contract (a random tree with async consumers, errors and work after
the response). Each is loaded into a page on a real server, then handed to a freshly mounted
panel through its store; the Performance API times:

- render: from store.set({trace}) until two animation frames later (JS + style + layout + paint);
- js: the panel's own `traceplay:waterfall` measure (tree build + first window of rows);
- scroll: 150 frames of programmatic scrolling (a flick of 180 px per frame, then jumps to random
  positions); frame time p50 / p95 / max from requestAnimationFrame timestamps;
- dom: elements inside the panel after rendering (the budget is under 1,000 at any size);
- heap: the live JS heap the panel and its trace hold after rendering (after GC, over an empty page).

Targets (DESIGN.md): a 10,000-span trace renders in under 1 s and scrolls at about 60 fps; time may
grow at most 12x per 10x input. Run: .venv/bin/python benchmarks/bench_waterfall.py
"""

from __future__ import annotations

import itertools
import random
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from playwright.sync_api import CDPSession, Page, Route, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from traceplay.web.app import create_app

SIZES = (1_000, 10_000, 100_000)
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--js-flags=--expose-gc",  # so each measurement starts from a collected heap
    "--enable-precise-memory-info",
]
HOST_PAGE = b"""<!doctype html><html data-theme="dark"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/css/tokens.css"></head>
<body style="margin:0;background:var(--bg)">
<div id="host" style="width:1400px;height:700px"></div></body></html>"""

MOUNT_JS = """
async ([module, name, url]) => {
  const { createStore } = await import('/static/js/store.js');
  const api = await import('/static/js/api.js');
  const mod = await import(module);
  const collect = async () => {
    for (let i = 0; i < 3 && window.gc; i++) {
      window.gc();
      await new Promise((r) => setTimeout(r, 30));
    }
    return performance.memory ? performance.memory.usedJSHeapSize : 0;
  };
  if (window.__bench) window.__bench.panel.destroy();
  window.__bench = null;
  const base = await collect();
  const trace = await (await fetch(url)).json();
  const host = document.getElementById('host');
  while (host.firstChild) host.firstChild.remove();
  const slot = document.createElement('div');
  slot.style.height = '100%';
  host.append(slot);
  const store = createStore({ trace: null, analysis: null, cursorMs: 0, components: null });
  const panel = mod[name](slot, store, api);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  performance.clearMeasures();
  const t0 = performance.now();
  store.set({ trace });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const render = performance.now() - t0;
  const js = performance.getEntriesByName('traceplay:waterfall').map((e) => e.duration)[0] ?? null;
  const dom = slot.querySelectorAll('*').length;
  window.__bench = { panel, store, slot };
  const heap = (await collect()) - base; // live: the trace, the span tree and the rows
  return { render, js, dom, heap };
}
"""

SCROLL_JS = """
async (selector) => {
  const vp = window.__bench.slot.querySelector(selector);
  const frames = [];
  const work = [];
  let last = null;
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const channel = new MessageChannel();
  let t0 = 0;
  channel.port1.onmessage = () => work.push(performance.now() - t0); // after this frame's rendering
  await new Promise((resolve) => {
    let n = 0;
    const step = (ts) => {
      if (last !== null) frames.push(ts - last);
      last = ts;
      t0 = performance.now();
      channel.port2.postMessage(0);
      if (n < 100) vp.scrollTop += 180;
      else vp.scrollTop = Math.floor(rand() * vp.scrollHeight);
      if (++n > 150) return setTimeout(resolve, 50);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  const stats = (xs) => {
    xs.sort((a, b) => a - b);
    const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    return { p50: q(0.5), p95: q(0.95), max: xs[xs.length - 1] };
  };
  return { frame: stats(frames), work: stats(work.slice(1)),
           rows: window.__bench.slot.querySelectorAll('[data-span-id]').length,
           dom: window.__bench.slot.querySelectorAll('*').length };
}
"""


SERVICES = (
    ("Backend", "backend", "server"),
    ("PostgreSQL", "postgresql", "client"),
    ("Redis", "redis", "client"),
    ("Orders", "backend", "server"),
    ("Kafka consumer", "kafka", "consumer"),
)


def trace_of_size(n: int, seed: int = 1) -> bytes:
    """Trace JSON bytes with `n` spans in the Trace contract: a random tree (fan-out 1-4, breadth
    first), children nested inside their parents, every consumer linked follows_from its producer,
    one span in 53 failing, and the last fifth of the time after the response."""
    rng = random.Random(seed)
    root: dict[str, Any] = {
        "span_id": f"{1:016x}",
        "parent_id": None,
        "node_id": "frontend",
        "edge_id": None,
        "service": "Frontend",
        "component": "frontend",
        "operation": "POST /checkout",
        "kind": "client",
        "start_ms": 0.0,
        "duration_ms": float(n),
        "status": "ok",
        "error": None,
        "attributes": {},
        "events": [],
        "links": [],
    }
    spans = [root]
    queue = [0]
    at = 0
    while len(spans) < n:
        parent = spans[queue[at % len(queue)]]
        at += 1
        k = rng.randint(1, 4)
        for j in range(k):
            if len(spans) >= n:
                break
            i = len(spans)
            service, component, kind = SERVICES[rng.randrange(len(SERVICES))]
            failed = i % 53 == 0
            spans.append(
                {
                    "span_id": f"{i + 1:016x}",
                    "parent_id": parent["span_id"],
                    "node_id": component,
                    "edge_id": f"e{i}",
                    "service": service,
                    "component": component,
                    "operation": f"op-{i % 97}",
                    "kind": kind,
                    "start_ms": parent["start_ms"] + parent["duration_ms"] * j / (k + 1),
                    "duration_ms": parent["duration_ms"] / (k + 2) * rng.uniform(0.5, 1.0),
                    "status": "error" if failed else "ok",
                    "error": "boom" if failed else None,
                    "attributes": {"i": i, "db.system.name": component},
                    "events": [{"time_ms": parent["start_ms"], "name": "exception", "attributes": {}}]
                    if failed
                    else [],
                    "links": [{"span_id": parent["span_id"], "trace_id": None, "type": "follows_from"}]
                    if kind == "consumer"
                    else [],
                }
            )
            queue.append(i)
    trace: dict[str, Any] = {
        "trace_id": f"{seed:032x}",
        "flow": None,
        "variant": None,
        "response_ms": n * 0.8,
        "duration_ms": float(n),
        "status": "ok",
        "spans": spans,
        "faults": {},
        "seed": None,
    }
    return orjson.dumps(trace)


def start_server() -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]

    class Server(uvicorn.Server):
        def install_signal_handlers(self) -> None:
            pass

    server = Server(uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


BREAKDOWN = ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration", "TaskDuration")


def metrics(cdp: CDPSession) -> dict[str, float]:
    got = cdp.send("Performance.getMetrics")["metrics"]
    return {m["name"]: float(m["value"]) for m in got if m["name"] in BREAKDOWN}


def measure(page: Page, cdp: CDPSession, module: str, name: str, viewport: str, size: int) -> dict[str, Any]:
    mount = page.evaluate(MOUNT_JS, [module, name, f"/bench/trace-{size}.json"])
    before = metrics(cdp)
    scroll = page.evaluate(SCROLL_JS, viewport)
    after = metrics(cdp)
    frames = 150
    per_frame = {k: (after[k] - before[k]) * 1000 / frames for k in BREAKDOWN}  # seconds -> ms per frame
    return {**mount, **{f"scroll_{k}": v for k, v in scroll.items()}, "per_frame": per_frame}


def main() -> int:
    traces: dict[int, bytes] = {}
    for size in SIZES:
        traces[size] = trace_of_size(size)
        print(f"trace {size:>7,} spans: {len(traces[size]) / 1e6:.1f} MB of JSON", flush=True)

    base, server, thread = start_server()

    def serve(route: Route) -> None:
        path = route.request.url[len(base) :]
        if path == "/bench":
            route.fulfill(status=200, content_type="text/html", body=HOST_PAGE)
        elif path.startswith("/bench/trace-"):
            size = int(path.rsplit("-", 1)[1].split(".")[0])
            route.fulfill(status=200, content_type="application/json", body=traces[size])
        else:
            route.continue_()

    results: dict[str, dict[int, dict[str, Any]]] = {"Waterfall": {}, "SpansPanel": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.route(f"{base}/bench**", serve)
        page.goto(f"{base}/bench")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        panels = (
            ("Waterfall", "/static/js/Waterfall.js", ".wf-viewport"),
            ("SpansPanel", "/static/js/SpansPanel.js", ".sp-viewport"),
        )
        for name, module, viewport in panels:
            for size in SIZES:
                measure(page, cdp, module, name, viewport, size)  # warm-up: module compile, JIT
                r = measure(page, cdp, module, name, viewport, size)
                results[name][size] = r
                js = f"{r['js']:.1f}" if r["js"] is not None else "  – "
                fr, wk = r["scroll_frame"], r["scroll_work"]
                print(
                    f"{name:<10} {size:>7,} spans: render {r['render']:7.1f} ms (js {js} ms) | scroll: "
                    f"main-thread work/frame p50 {wk['p50']:4.1f} p95 {wk['p95']:5.1f} "
                    f"max {wk['max']:5.1f} ms, frame interval p50 {fr['p50']:5.1f} p95 {fr['p95']:5.1f} ms | "
                    f"DOM {r['dom']:>4} elements (after scrolling {r['scroll_dom']:>4}, "
                    f"{r['scroll_rows']} rows) | heap {r['heap'] / 1e6:6.1f} MB",
                    flush=True,
                )
                pf = r["per_frame"]
                print(
                    f"{'':<10} {'':>7}        scrolling, per frame: script {pf['ScriptDuration']:.2f} ms, "
                    f"style {pf['RecalcStyleDuration']:.2f} ms, layout {pf['LayoutDuration']:.2f} ms, "
                    f"all main-thread tasks {pf['TaskDuration']:.2f} ms",
                    flush=True,
                )
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)

    for name, by_size in results.items():
        growth = [
            by_size[b]["render"] / max(by_size[a]["render"], 1e-3) for a, b in itertools.pairwise(SIZES)
        ]
        print(f"{name}: render growth per 10x: " + ", ".join(f"{g:.1f}x" for g in growth))
    ok = results["Waterfall"][10_000]["render"] < 1000 and all(
        r["dom"] < 1000 and r["scroll_dom"] < 1000 for by in results.values() for r in by.values()
    )
    print("targets (10k render < 1 s, DOM < 1,000 elements):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
