"""The panels' pure modules (js/logic/timescale.js, spantree.js, virtual.js, lightmd.js), imported in
Chromium and called with plain data: time <-> pixel math, nice ticks, duration labels, the span tree
(a 100,000-deep chain included), filtering, windowing and the AI answer's Markdown subset."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

LOGIC = "/static/js/logic"


@pytest.fixture
def js(page: Page) -> Page:
    page.goto("/static/css/tokens.css")  # any same-origin document can import the modules
    return page


def run(page: Page, body: str, arg: Any = None) -> Any:
    """Evaluate `body` (an async function body) with ts, st, v and md imported."""
    return page.evaluate(
        f"""async (arg) => {{
            const ts = await import('{LOGIC}/timescale.js');
            const st = await import('{LOGIC}/spantree.js');
            const v = await import('{LOGIC}/virtual.js');
            const md = await import('{LOGIC}/lightmd.js');
            {body}
        }}""",
        arg,
    )


def test_nice_steps_ticks_and_labels(js: Page) -> None:
    out = run(
        js,
        """return {
            steps: [ts.niceStep(8, 8), ts.niceStep(85, 8), ts.niceStep(9000, 6), ts.niceStep(0.3, 6)],
            ticks8: ts.ticks({start: 0, end: 8}, 8),
            ticks52: ts.ticks({start: 0, end: 52}, 6),
            labels: [0, 0.25, 2, 8, 45, 85.5, 1250, 9000, 65000, 3725000].map(ts.formatMs),
            tickLabels: [ts.formatTick(0, 2), ts.formatTick(20, 10), ts.formatTick(1500, 500),
                         ts.formatTick(0.15, 0.05)],
            px: [ts.msToPx(4, {start: 0, end: 8}, 800), ts.pxToMs(200, {start: 0, end: 8}, 800)],
            bars: [ts.barPercent(99, 5, {start: 0, end: 100}),
                   ts.barPercent(0, 0, {start: 0, end: 100}, 0.5)],
            domain: ts.traceDomain({response_ms: 8, duration_ms: 8,
                                    spans: [{start_ms: -2, duration_ms: 3}, {start_ms: 1, duration_ms: 12}]}),
            empty: ts.traceDomain(null),
        };""",
    )
    assert out["steps"] == [1, 20, 2000, 0.05]
    assert out["ticks8"] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert out["ticks52"] == [0, 10, 20, 30, 40, 50]
    assert out["labels"] == [
        "0 ms",
        "0.25 ms",
        "2.0 ms",
        "8.0 ms",
        "45 ms",
        "85.5 ms",
        "1.25 s",
        "9 s",
        "1 min 5 s",
        "1 h 2 min",
    ]
    assert out["tickLabels"] == ["0", "20 ms", "1.5 s", "0.15 ms"]
    assert out["px"] == [400, 2]
    assert out["bars"] == [{"left": 95, "width": 5}, {"left": 0, "width": 0.5}]  # kept inside the axis
    assert out["domain"] == {"start": -2, "end": 13}
    assert out["empty"] == {"start": 0, "end": 1}


def span(sid: str, parent: str | None, start: float, dur: float, **extra: Any) -> dict[str, Any]:
    return {
        "span_id": sid,
        "parent_id": parent,
        "start_ms": start,
        "duration_ms": dur,
        "service": sid,
        "operation": "op",
        "status": "ok",
        "attributes": {},
        "events": [],
        "links": [],
        **extra,
    }


TRACE = {
    "response_ms": 10,
    "duration_ms": 30,
    "spans": [
        span("root", None, 0, 10),
        span("b", "root", 5, 4),  # listed before its earlier sibling: order is by start time
        span("a", "root", 1, 3, attributes={"db.system.name": "redis"}),
        span("a1", "a", 1.5, 1, status="error"),
        span("late", "root", 12, 18, kind="consumer", links=[{"span_id": "b", "type": "follows_from"}]),
        span("orphan", "missing", 2, 1),
    ],
}


def test_span_tree_order_depth_self_time_and_after_response(js: Page) -> None:
    out = run(
        js,
        """const t = st.buildTree(arg);
        const id = (i) => t.spans[i].span_id;
        return {
            order: Array.from(t.order, id),
            depth: Object.fromEntries(t.spans.map((s, i) => [s.span_id, t.depth[i]])),
            size: t.size[t.index.get('root')],
            self: Object.fromEntries(t.spans.map((s, i) => [s.span_id, t.selfMs[i]])),
            after: Object.fromEntries(t.spans.map((s, i) => [s.span_id, t.afterResponse[i]])),
            errors: t.errorCount,
            maxDepth: t.maxDepth,
            collapsed: Array.from(st.visibleRows(t, new Set([t.index.get('a')])), id),
            below1: Array.from(st.visibleRows(t, st.collapseBelow(t, 1)), id),
            ancestors: st.ancestors(t, t.index.get('a1')).map(id),
            async: t.spans.map(st.isAsync),
        };""",
        TRACE,
    )
    assert out["order"] == ["root", "a", "a1", "b", "late", "orphan"]
    assert out["depth"] == {"root": 0, "b": 1, "a": 1, "a1": 2, "late": 1, "orphan": 0}
    assert out["size"] == 5
    # root: 10 ms minus a (1..4) and b (5..9) = 3; "late" lies outside root and does not count
    assert out["self"] == {"root": 3, "b": 4, "a": 2, "a1": 1, "late": 18, "orphan": 1}
    assert out["after"] == {"root": 0, "b": 0, "a": 0, "a1": 0, "late": 2, "orphan": 0}
    assert out["errors"] == 1 and out["maxDepth"] == 2
    assert out["collapsed"] == ["root", "a", "b", "late", "orphan"]
    assert out["below1"] == ["root", "a", "b", "late", "orphan"]
    assert out["ancestors"] == ["a", "root"]
    assert out["async"] == [False, False, False, False, True, False]


def test_filter_keeps_matches_with_their_ancestors(js: Page) -> None:
    out = run(
        js,
        """const t = st.buildTree(arg);
        const id = (i) => t.spans[i].span_id;
        const f = st.filterRows(t, (s) => st.matchSpan(s, 'redis'));
        const e = st.filterRows(t, (s) => s.status === 'error');
        return { rows: Array.from(f.rows, id), count: f.matchCount, errRows: Array.from(e.rows, id),
                 match: Array.from(f.matches) };""",
        TRACE,
    )
    assert out["rows"] == ["root", "a"] and out["count"] == 1
    assert out["errRows"] == ["root", "a", "a1"]
    assert out["match"] == [0, 0, 1, 0, 0, 0]


def test_a_hundred_thousand_deep_chain_and_parent_cycles(js: Page) -> None:
    out = run(
        js,
        """const n = 100000, spans = [];
        for (let i = 0; i < n; i++) spans.push({span_id: 's' + i, parent_id: i ? 's' + (i - 1) : null,
            start_ms: i * 0.01, duration_ms: (n - i) * 0.02, status: 'ok'});
        const t = st.buildTree({spans, response_ms: 1, duration_ms: 2000});
        const cyc = st.buildTree({spans: [
            {span_id: 'x', parent_id: 'y', start_ms: 0, duration_ms: 1},
            {span_id: 'y', parent_id: 'x', start_ms: 0, duration_ms: 1},
            {span_id: 'z', parent_id: 'z', start_ms: 0, duration_ms: 1}]});
        const dup = st.buildTree({spans: [
            {span_id: 'd', parent_id: null, start_ms: 0, duration_ms: 1},
            {span_id: 'd', parent_id: 'd', start_ms: 0, duration_ms: 1}]});
        return { count: t.count, maxDepth: t.maxDepth, last: t.order[n - 1],
                 hidden: st.visibleRows(t, new Set([5])).length, ancestors: st.ancestors(t, n - 1).length,
                 cycle: cyc.order.length, dup: dup.order.length };""",
    )
    assert out["count"] == 100_000 and out["maxDepth"] == 99_999 and out["last"] == 99_999
    assert out["hidden"] == 6 and out["ancestors"] == 99_999
    assert out["cycle"] == 3 and out["dup"] == 2  # every span shown once, nothing loops


def test_windows_for_virtualised_lists(js: Page) -> None:
    out = run(
        js,
        """const off = v.offsetsOf([28, 28, 200, 28]);
        return {
            top: v.fixedWindow(0, 280, 28, 10000, 6, 80),
            bottom: v.fixedWindow(28 * 9990, 280, 28, 10000, 6, 80),
            capped: v.fixedWindow(0, 100000, 28, 10000, 6, 80),
            offsets: Array.from(off),
            at: [v.itemAt(off, 0), v.itemAt(off, 56), v.itemAt(off, 255), v.itemAt(off, 1e9)],
            variable: v.variableWindow(off, 60, 100, 0),
            show: [v.scrollToShow(0, 28, 100, 300), v.scrollToShow(500, 28, 100, 300),
                   v.scrollToShow(150, 28, 100, 300)],
        };""",
    )
    assert out["top"] == {"first": 0, "last": 23}
    assert out["bottom"]["last"] == 10_000 and out["bottom"]["first"] < 9_990
    assert out["capped"]["last"] - out["capped"]["first"] == 80
    assert out["offsets"] == [0, 28, 56, 256, 284]
    assert out["at"] == [0, 2, 2, 3]
    assert out["variable"] == {"first": 2, "last": 3}
    assert out["show"] == [0, 228, None]


def test_light_markdown_is_parsed_into_data_not_html(js: Page) -> None:
    out = run(
        js,
        """return md.parseBlocks(arg);""",
        "# Why\nRedis **failed** <b>not bold</b> and `GET` hung.\n\n"
        "- one\n- two\n  more\n1. first\n```\nx < y\n",
    )
    assert out == [
        {"type": "h", "level": 1, "inline": [{"type": "text", "text": "Why"}]},
        {
            "type": "p",
            "inline": [
                {"type": "text", "text": "Redis "},
                {"type": "strong", "text": "failed"},
                {"type": "text", "text": " <b>not bold</b> and "},
                {"type": "code", "text": "GET"},
                {"type": "text", "text": " hung."},
            ],
        },
        {
            "type": "ul",
            "items": [
                [{"type": "text", "text": "one"}],
                [
                    {"type": "text", "text": "two"},
                    {"type": "text", "text": " "},
                    {"type": "text", "text": "more"},
                ],
            ],
        },
        {"type": "ol", "items": [[{"type": "text", "text": "first"}]]},
        {"type": "pre", "text": "x < y\n"},
    ]
