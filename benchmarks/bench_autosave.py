"""Auto-saving a custom flow, measured in Chromium: main-thread time of one save.

For flows of 200, 1,000 and 2,000 nodes (a chain of calls plus a fan-out), opened as custom flows
in the real page served by the real app: node moves go through the store as the canvas makes them,
the debounced auto-save writes localStorage, and we time

- the save itself (JSON.stringify + localStorage.setItem, stamped), wrapped with performance.now()
  around the library's storage.save as the timer calls it;
- long tasks (PerformanceObserver "longtask", > 50 ms) seen while the saves run;
- the entry's size in bytes.

Target: under 50 ms per save at 2,000 nodes. Run: .venv/bin/python benchmarks/bench_autosave.py
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import uvicorn
from playwright.sync_api import Page, sync_playwright

from traceplay.cli.serve import listen_socket
from traceplay.web.app import create_app

SIZES = (200, 1000, 2000)
MOVES = 12
CHROMIUM = "/usr/bin/chromium"

BUILD = """(n) => {
  const comps = ['backend', 'postgresql', 'redis', 'worker', 'grpc'];
  const nodes = [{id: 'web', component: 'frontend', label: 'Web', x: 0, y: 0}];
  const edges = [];
  for (let i = 1; i < n; i++) {
    nodes.push({id: 'n' + i, component: comps[i % comps.length], label: 'Node ' + i,
                x: (i % 40) * 240, y: Math.floor(i / 40) * 120});
    const parent = i < 10 ? 'web' : 'n' + (i - (i % 10 === 0 ? 9 : 1));
    edges.push({id: 'e' + i, source: parent === 'n' + i ? 'web' : parent, target: 'n' + i,
                operation: 'call ' + i, step: 0});
  }
  const flow = {id: 'bench-' + n, name: 'Bench ' + n, description: '', nodes, edges, variants: {}};
  localStorage.setItem('traceplay.flows.v1/bench-' + n, JSON.stringify(
    {schema: 1, id: flow.id, flow, faults: {}, variant: 'success', created: 1, updated: 1, rev: 0}));
}"""

MEASURE = """async (moves) => {
  const tp = window.__traceplay;
  const storage = tp.flows.storage;
  const original = storage.save;
  const times = [];
  const spans = [];
  let bytes = 0;
  tp.actions.pause();
  storage.save = (entry) => {
    const t0 = performance.now();
    const res = original(entry);
    const t1 = performance.now();
    times.push(t1 - t0);
    spans.push([t0, t1]);
    bytes = res.bytes || bytes;
    return res;
  };
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push([e.startTime, e.duration]);
  });
  observer.observe({entryTypes: ['longtask']});
  const editMs = [];
  for (let m = 0; m < moves; m++) {
    const s = tp.store.get();
    const j = 1 + ((m * 37) % (s.flow.nodes.length - 1));
    const next = {...s.flow, nodes: s.flow.nodes.map((n, i) => (i === j ? {...n, x: n.x + 10} : n))};
    const t0 = performance.now();
    tp.actions.editFlow(next, {key: 'bench:' + m});
    editMs.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 520)); // past the debounce: one save per move
  }
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  storage.save = original;
  const withSave = longTasks
    .filter(([st, d]) => spans.some(([a, b]) => st <= a && st + d >= b))
    .map(([, d]) => d);
  const status = tp.store.get().saveStatus;
  return {times, bytes, longTasks: longTasks.map(([, d]) => d), withSave, editMs, status};
}"""


def serve() -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = listen_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def run_size(page: Page, base: str, n: int) -> dict[str, Any]:
    page.goto(base + "/")
    page.wait_for_function("() => window.__traceplay && window.__traceplay.store.get().templates")
    page.evaluate(BUILD, n)
    page.goto(f"{base}/?flow=bench-{n}")
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        f" return s.customId === 'bench-{n}' && s.flow.nodes.length === {n} && !s.loading; }}",
        timeout=120_000,
    )
    page.evaluate("() => window.__traceplay.actions.pause()")
    page.wait_for_timeout(1500)
    result: dict[str, Any] = page.evaluate(MEASURE, MOVES)
    return result


def main() -> None:
    base, server, thread = serve()
    print(f"auto-save of a custom flow in Chromium ({MOVES} moves each, one save per move)")
    print(
        f"{'nodes':>6} {'entry KB':>9} {'save median ms':>15} {'save max ms':>12} "
        f"{'edit median ms':>15} {'long tasks':>14} {'with a save':>12} {'status':>7}"
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for n in SIZES:
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                r = run_size(page, base, n)
                times = r["times"] or [float("nan")]
                long_tasks = r["longTasks"]
                lt = f"{len(long_tasks)} (max {max(long_tasks):.0f})" if long_tasks else "0"
                ws = r["withSave"]
                wt = f"{len(ws)} (max {max(ws):.0f})" if ws else "0"
                print(
                    f"{n:>6} {r['bytes'] / 1024:>9.0f} {statistics.median(times):>15.2f} {max(times):>12.2f} "
                    f"{statistics.median(r['editMs']):>15.2f} {lt:>14} {wt:>12} {r['status']:>7}"
                )
                context.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print("target: save < 50 ms at 2,000 nodes. 'long tasks': every task > 50 ms while measuring (the page's")
    print("own work: canvas, panels); 'with a save': the long tasks that contain a save.")


if __name__ == "__main__":
    main()
