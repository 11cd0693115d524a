"""The pure front-end modules (static/js/logic/) run in Chromium as ES modules and are checked here:
time warp, geometry, the address bar, flow edits, canvas status and playback frames."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page


@pytest.fixture
def js(page: Page) -> Page:
    page.goto("/static/favicon.svg")  # same origin, no app: the modules are imported on their own
    return page


def run(page: Page, body: str) -> Any:
    """Evaluate an async function body with `L(name)` importing /static/js/logic/<name>.js."""
    return page.evaluate(f"async () => {{ const L = (n) => import(`/static/js/logic/${{n}}.js`); {body} }}")


def test_timewarp_is_monotone_invertible_and_watchable(js: Page) -> None:
    result = run(
        js,
        """
        const { createWarp } = await L("timewarp");
        const trace = { response_ms: 9002, duration_ms: 9002, spans: [
          { start_ms: 0, duration_ms: 9002 }, { start_ms: 0.5, duration_ms: 2 },
          { start_ms: 2.5, duration_ms: 9000 } ] };
        const w = createWarp(trace);
        const samples = [];
        for (let t = 0; t <= 9002; t += 7.3) samples.push([t, w.toPlay(t)]);
        const monotone = samples.every((s, i) => i === 0 || s[1] >= samples[i - 1][1]);
        const inverse = samples.every(([t, p]) => Math.abs(w.toTrace(p) - t) < 1e-6 * Math.max(1, t));
        return { total: w.total, monotone, inverse, cacheHit: w.toPlay(2.5) - w.toPlay(0.5),
                 llm: w.toPlay(9002.5) - w.toPlay(2.5), end: w.toTrace(w.total),
                 empty: createWarp(null).total };
        """,
    )
    assert result["monotone"] and result["inverse"]
    assert 3 <= result["total"] <= 12
    assert result["cacheHit"] > 0.3  # a 2 ms call plays for a visible fraction of a second
    assert result["llm"] < 10  # and a 9 s call does not take 9 s
    assert result["end"] == 9002.5  # the end of the last span
    assert result["empty"] == 3


def test_url_round_trip_and_history_action(js: Page) -> None:
    result = run(
        js,
        """
        const u = await L("url");
        const state = { scenario: "redis-cache", variant: "error", faults: { db: "timeout", api: "slow" } };
        const search = u.buildSearch(state);
        return { search, back: u.parseSearch(search),
                 bad: u.parseSearch("?scenario=<x>&variant=a b&fault=db:melt&fault=:slow"),
                 push: u.historyAction("?scenario=simple&variant=success", state),
                 replace: u.historyAction("?scenario=redis-cache&variant=success", state),
                 same: u.historyAction(search, state) };
        """,
    )
    assert result["search"] == "?scenario=redis-cache&variant=error&fault=api%3Aslow&fault=db%3Atimeout"
    faults = {"db": "timeout", "api": "slow"}
    assert result["back"] == {"scenario": "redis-cache", "variant": "error", "faults": faults}
    assert result["bad"] == {"scenario": None, "variant": None, "faults": {}}
    assert (result["push"], result["replace"], result["same"]) == ("push", "replace", None)


def test_flow_edits_keep_the_flow_valid(js: Page, server_url: str) -> None:
    result = run(
        js,
        """
        const f = await L("flowedit");
        const flow = await (await fetch("/api/templates/redis-cache")).json();
        const noDb = f.removeNode(flow, "db");
        const added = f.addNode(noDb, { id: "redis", name: "Redis" }, 10, 20);
        const linked = f.connect(added.flow, "backend", added.id);
        let loop = null;
        try { f.connect(linked.flow, added.id, "frontend"); } catch (e) { loop = e.message; }
        const check = await fetch("/api/flows/validate", { method: "POST",
          headers: { "content-type": "application/json" }, body: JSON.stringify(linked.flow) });
        return {
          untouched: flow.nodes.length,
          nodes: noDb.nodes.map((n) => n.id),
          edges: noDb.edges.map((e) => e.id),
          overrides: Object.values(noDb.variants).flatMap((v) => Object.keys(v.nodes)),
          findingNodes: Object.values(noDb.variants).flatMap((v) => v.findings.flatMap((x) => x.nodes)),
          addedId: added.id, label: added.flow.nodes.at(-1).label, step: linked.flow.edges.at(-1).step,
          loop, valid: check.status, self: f.connectProblem(flow, "db", "db"),
          moved: f.moveNode(flow, "db", 1.4, 2.6).nodes.find((n) => n.id === "db"),
          sameStructure: f.structureKey(f.moveNode(flow, "db", 1, 2)) === f.structureKey(flow),
        };
        """,
    )
    assert result["untouched"] == 4
    assert "db" not in result["nodes"]
    assert "be-db" not in result["edges"]
    assert "db" not in result["overrides"] and "db" not in result["findingNodes"]
    assert result["addedId"] == "redis-2" and result["label"] == "Redis 2"
    assert result["step"] == 3
    assert result["loop"] and "loop" in result["loop"]
    assert result["valid"] == 200
    assert result["self"]
    assert (result["moved"]["x"], result["moved"]["y"]) == (1, 3)
    assert result["sameStructure"] is True


def test_geometry_fit_zoom_and_curves(js: Page) -> None:
    result = run(
        js,
        """
        const g = await L("geometry");
        const boxes = [g.nodeBox({ x: 0, y: 0 }), g.nodeBox({ x: 1000, y: 500 })];
        const b = g.boundsOf(boxes);
        const v = g.fitView(b, 800, 400, { padding: 20 });
        const tl = g.worldToScreen(v, b.x, b.y), br = g.worldToScreen(v, b.x + b.w, b.y + b.h);
        const z = g.zoomAt({ x: 10, y: 20, k: 1 }, 2, 100, 100);
        const fixed = g.screenToWorld(z, 100, 100);
        const c = g.edgeCurve(boxes[0], boxes[1]);
        const lanes = g.assignLanes([{ id: "a", source: "x", target: "y" },
                                     { id: "b", source: "x", target: "y" }]);
        const c0 = g.edgeCurve(boxes[0], boxes[1], 0, 2), c1 = g.edgeCurve(boxes[0], boxes[1], 1, 2);
        return { tl, br, k: v.k, fixed, start: g.curvePoint(c, 0), end: g.curvePoint(c, 1), c3: c.p3,
                 lanes: [lanes.get("a"), lanes.get("b")],
                 apart: Math.hypot(g.curvePoint(c0, .5).x - g.curvePoint(c1, .5).x,
                                   g.curvePoint(c0, .5).y - g.curvePoint(c1, .5).y),
                 clamp: g.clampScale(100) };
        """,
    )
    assert result["tl"]["x"] >= 19.9 and result["tl"]["y"] >= 19.9
    assert result["br"]["x"] <= 780.1 and result["br"]["y"] <= 380.1
    assert result["fixed"] == {"x": 90, "y": 80}
    # the edge leaves the first box on its border, towards the second box (here: its bottom side)
    assert result["start"]["y"] == pytest.approx(56) and 80 < result["start"]["x"] <= 160
    assert result["end"] == pytest.approx(result["c3"])
    assert result["lanes"] == [{"lane": 0, "lanes": 2}, {"lane": 1, "lanes": 2}]
    assert result["apart"] > 20
    assert result["clamp"] == 2.5


def test_graph_status_order_and_playback_frames(js: Page) -> None:
    result = run(
        js,
        """
        const gr = await L("graph"), tw = await L("timewarp"), pf = await L("playframe");
        const body = { template: "redis-cache", variant: "error" };
        const post = (u, b) => fetch(u, { method: "POST", headers: { "content-type": "application/json" },
                                          body: JSON.stringify(b) }).then((r) => r.json());
        const flow = await (await fetch("/api/templates/redis-cache")).json();
        const trace = await post("/api/simulate", body);
        const view = gr.traceView(flow, trace, null, {}, { variant: "error" });
        const status = Object.fromEntries([...view.nodes].map(([k, v]) => [k, v.status]));
        const order = Object.fromEntries([...view.edges].map(([k, v]) => [k, v.order]));
        const warp = tw.createWarp(trace);
        const edges = new Map(flow.edges.map((e) => [e.id, { ...e, mode: "sync" }]));
        const prep = pf.prepare(trace, edges, warp);
        const redis = trace.spans.find((s) => s.node_id === "redis");
        const during = pf.frameAt(prep, redis.start_ms + redis.duration_ms * 0.99);
        const end = pf.frameAt(prep, warp.durationMs);
        const slowFlow = await post("/api/simulate", { template: "redis-cache", variant: "slow" });
        const slow = gr.slowNodeIds(flow, "slow", {}, new Map([["postgresql", { latency_ms: 12 }]]), null);
        return { status, order, redisLit: during.active.get("redis"), dots: during.dots.length,
                 endActive: end.active.size, responded: end.responded, slow: [...slow],
                 faultSlow: [...gr.slowNodeIds(flow, "success", { api: "slow" }, new Map(), null)],
                 slowSpans: slowFlow.spans.length };
        """,
    )
    assert result["status"] == {"frontend": "ok", "backend": "ok", "redis": "error", "db": "ok"}
    assert (result["order"]["fe-be"], result["order"]["be-redis"], result["order"]["be-db"]) == (1, 2, 3)
    assert result["order"]["be-redis-set"] is None  # not taken in this variant
    assert result["redisLit"] == "error"
    assert result["dots"] >= 1
    assert result["responded"] is True
    assert result["slow"] == ["db"]
    assert result["faultSlow"] == ["api"]
