"""The three panels under the canvas in Chromium: the waterfall, the spans list and the analysis.

Against the real server: rows follow the trace from /api/simulate in tree order, errors are marked,
subtrees collapse by mouse and keyboard, hovering links the waterfall and the canvas both ways, span
details show typed attributes, events and links, findings come in the analyzer's order, a 10,000-span
trace stays virtualised, and the AI section (whose language model is faked at the HTTP boundary with
page.route, since no model runs in these tests) shows its form, streams text safely, can be stopped
and reports a failure while the findings stay. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

WF_ROW = "[data-testid='waterfall-row']"
SPAN_ROW = "[data-testid='span-row']"
FINDING = "[data-testid='finding']"
NOT_CONFIGURED = {
    "configured": False,
    "provider": "groq",
    "model": None,
    "providers": ["groq", "gemini", "openai", "ollama"],
}
CONFIGURED = {
    "configured": True,
    "provider": "groq",
    "model": "llama-3.3-70b-versatile",
    "providers": ["groq"],
}


# ------------------------------------------------------------------ helpers


def open_scenario(page: Page, scenario: str, variant: str = "success") -> None:
    page.goto(f"/?scenario={scenario}&variant={variant}")
    page.wait_for_function(
        "() => { const s = window.__traceplay?.store.get(); return s && s.trace && s.analysis; }"
    )
    page.evaluate("() => window.__traceplay.actions.pause()")


def show_tab(page: Page, panel: str) -> None:
    page.get_by_test_id(f"tab-{panel}").click()
    expect(page.get_by_test_id(f"panel-{panel}")).to_be_visible()


def simulate(page: Page, body: dict[str, Any]) -> dict[str, Any]:
    response = page.request.post("/api/simulate", data=body)
    assert response.ok, response.text()
    trace: dict[str, Any] = response.json()
    return trace


def tree_order(trace: dict[str, Any]) -> list[str]:
    """Span ids depth first, siblings by start time: the order the waterfall must show."""
    ids = {s["span_id"] for s in trace["spans"]}
    kids: dict[str | None, list[dict[str, Any]]] = {}
    for s in trace["spans"]:
        kids.setdefault(s["parent_id"] if s["parent_id"] in ids else None, []).append(s)
    for lst in kids.values():
        lst.sort(key=lambda s: s["start_ms"])
    out: list[str] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        span = stack.pop()
        out.append(span["span_id"])
        stack.extend(reversed(kids.get(span["span_id"], [])))
    return out


def row_ids(page: Page, selector: str) -> list[str]:
    ids: list[str] = page.locator(selector).evaluate_all("rows => rows.map(r => r.dataset.spanId)")
    return ids


def visible_row_ids(page: Page, selector: str) -> list[str]:
    """Row ids in screen order (rows are absolutely positioned, so DOM order says nothing)."""
    ids: list[str] = page.locator(selector).evaluate_all(
        "rows => rows.map(r => [r.getBoundingClientRect().top, r.dataset.spanId])"
        ".sort((a, b) => a[0] - b[0]).map(x => x[1])"
    )
    return ids


def row(page: Page, span_id: str, selector: str = WF_ROW) -> Locator:
    return page.locator(f"{selector}[data-span-id='{span_id}']")


def state(page: Page, key: str) -> Any:
    return page.evaluate("(k) => window.__traceplay.store.get()[k]", key)


def span_by_node(trace: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(s for s in trace["spans"] if s["node_id"] == node_id)


# ------------------------------------------------------------------ waterfall


def test_waterfall_shows_one_row_per_span_in_tree_order(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "success"})
    open_scenario(page, "redis-cache", "success")
    expect(page.locator(WF_ROW)).to_have_count(len(trace["spans"]))
    assert visible_row_ids(page, WF_ROW) == tree_order(trace)
    root = trace["spans"][0]
    first = row(page, root["span_id"])
    expect(first).to_contain_text(root["service"])
    expect(first).to_contain_text(root["operation"])
    expect(first).to_have_attribute("aria-level", "1")
    # the critical path of the analysis is highlighted, and the axis has a response marker
    analysis = state(page, "analysis")
    for sid in analysis["critical_path"]:
        expect(row(page, sid)).to_have_class(_has("is-critical"))
    expect(page.locator(".wf-flag-response")).to_contain_text("response")


def test_error_variant_marks_failing_spans_in_both_lists(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "error"})
    failing = {s["span_id"] for s in trace["spans"] if s["status"] == "error"}
    assert failing, "the error variant of redis-cache has a failing span"
    open_scenario(page, "redis-cache", "error")
    expect(page.locator(WF_ROW)).to_have_count(len(trace["spans"]))
    assert set(row_ids(page, f"{WF_ROW}[data-status='error']")) == failing
    for sid in failing:  # not colour alone: a ✖ and the words "error origin" or "error"
        expect(row(page, sid).locator(".wf-dur")).to_contain_text("✖")
        expect(row(page, sid).locator(".wf-bar")).to_have_class(_has("is-error"))
    show_tab(page, "spans")
    expect(page.locator(SPAN_ROW)).to_have_count(len(trace["spans"]))
    assert set(row_ids(page, f"{SPAN_ROW}[data-status='error']")) == failing
    expect(page.locator(f"{SPAN_ROW}[data-status='error'] .sp-status").first).to_have_text("✖ error")


def test_async_spans_are_dashed_and_marked_after_the_response(page: Page) -> None:
    trace = simulate(page, {"template": "kafka-fanout", "variant": "success"})
    consumers = [s for s in trace["spans"] if s["links"]]
    assert consumers and trace["duration_ms"] > trace["response_ms"]
    open_scenario(page, "kafka-fanout", "success")
    for s in consumers:
        expect(row(page, s["span_id"]).locator(".wf-bar")).to_have_class(_has("is-async"))
        expect(row(page, s["span_id"]).locator(".wf-badge")).to_have_text("async")
        if s["start_ms"] >= trace["response_ms"]:
            expect(row(page, s["span_id"]).locator(".wf-dur")).to_contain_text("after response")
    expect(page.locator(".wf-flag-end")).to_contain_text("end")
    expect(page.locator(".wf-after")).to_be_visible()


def test_collapse_and_expand_subtrees_by_mouse_and_keyboard(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "slow"})
    open_scenario(page, "redis-cache", "slow")
    backend = span_by_node(trace, "backend")
    children = [s for s in trace["spans"] if s["parent_id"] == backend["span_id"]]
    assert len(children) >= 2
    total = len(trace["spans"])
    expect(page.locator(WF_ROW)).to_have_count(total)

    row(page, backend["span_id"]).locator(".wf-toggle").click()
    expect(page.locator(WF_ROW)).to_have_count(total - len(children))
    expect(row(page, backend["span_id"])).to_have_attribute("aria-expanded", "false")

    row(page, backend["span_id"]).focus()
    page.keyboard.press("ArrowRight")  # expand
    expect(page.locator(WF_ROW)).to_have_count(total)
    page.keyboard.press("ArrowDown")  # to the first child
    expect(row(page, children[0]["span_id"])).to_be_focused()
    page.keyboard.press("Enter")  # select it
    expect(row(page, children[0]["span_id"])).to_have_attribute("aria-selected", "true")
    assert state(page, "selectedSpanId") == children[0]["span_id"]
    page.keyboard.press("ArrowLeft")  # a leaf: go to its parent
    expect(row(page, backend["span_id"])).to_be_focused()
    page.keyboard.press("ArrowLeft")  # a parent: collapse it
    expect(page.locator(WF_ROW)).to_have_count(total - len(children))

    page.get_by_role("button", name="Expand all").first.click()
    expect(page.locator(WF_ROW)).to_have_count(total)
    page.get_by_role("button", name="Collapse all").first.click()
    expect(page.locator(WF_ROW)).to_have_count(2)  # the root and its direct child


def test_hover_links_waterfall_rows_and_canvas_nodes_both_ways(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "success"})
    open_scenario(page, "redis-cache", "success")
    redis = span_by_node(trace, "redis")
    canvas_redis = page.locator("[data-testid='canvas-node'][data-node-id='redis']")
    expect(canvas_redis).not_to_have_class(_has("hl"))
    row(page, redis["span_id"]).hover()
    assert state(page, "hoverSpanId") == redis["span_id"]
    expect(canvas_redis).to_have_class(_has("hl"))
    page.mouse.move(5, 5)
    expect(canvas_redis).not_to_have_class(_has("hl"))

    backend = span_by_node(trace, "backend")
    page.locator("[data-testid='canvas-node'][data-node-id='backend']").hover()
    expect(row(page, backend["span_id"])).to_have_class(_has("is-hover"))

    # selecting on the canvas selects the span's row
    row(page, redis["span_id"]).click()
    expect(row(page, redis["span_id"])).to_have_attribute("aria-selected", "true")
    assert state(page, "selectedSpanId") == redis["span_id"]


def test_time_cursor_follows_the_store(page: Page) -> None:
    open_scenario(page, "redis-cache", "success")
    page.evaluate("() => window.__traceplay.store.set({ cursorMs: 4 })")
    left = page.locator(".wf-cursor").evaluate("el => parseFloat(el.style.left)")
    assert 45 < left < 55  # 4 ms of an 8 ms trace
    active = page.locator(f"{WF_ROW}.is-active")
    assert active.count() >= 1
    # the axis is a scrubber: a press three quarters along it moves the cursor to 6 ms
    axis = page.locator(".wf-axis")
    box = axis.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    assert abs(state(page, "cursorMs") - 6) < 0.2


# ------------------------------------------------------------------ spans panel


def test_spans_panel_opens_attributes_events_and_filters(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "error"})
    open_scenario(page, "redis-cache", "error")
    show_tab(page, "spans")
    redis = span_by_node(trace, "redis")
    row(page, redis["span_id"], SPAN_ROW).click()
    detail = page.locator(f".sd[data-detail-for='{redis['span_id']}']")
    expect(detail).to_be_visible()
    expect(detail).to_contain_text(redis["span_id"])
    expect(detail).to_contain_text(redis["parent_id"])
    expect(detail.locator(".sd-error")).to_contain_text(redis["error"])
    key, value = next(iter(redis["attributes"].items()))
    attr = detail.locator(".sd-attrs tr", has_text=key)
    expect(attr.locator(".sd-v-string")).to_have_text(json.dumps(value))  # typed: a quoted string
    expect(attr.locator(".sd-type")).to_have_text("string")
    event = redis["events"][0]
    offset = event["time_ms"] - redis["start_ms"]
    ev = detail.locator(".sd-event", has_text=event["name"])
    expect(ev.locator(".sd-offset")).to_have_text(f"+{offset:.1f} ms")
    assert state(page, "selectedSpanId") == redis["span_id"]

    search = page.get_by_test_id("span-search")
    search.fill("postgres")
    db = span_by_node(trace, "db")
    expect(page.locator(f"{SPAN_ROW}.is-match")).to_have_count(1)
    expect(row(page, db["span_id"], SPAN_ROW)).to_have_class(_has("is-match"))
    expect(page.locator(".sp-count")).to_have_text(f"1 of {len(trace['spans'])} spans match")
    search.fill(str(next(iter(redis["attributes"].values()))))  # an attribute value matches too
    expect(row(page, redis["span_id"], SPAN_ROW)).to_have_class(_has("is-match"))
    search.fill("")
    page.get_by_test_id("span-errors-only").check()
    expect(page.locator(f"{SPAN_ROW}.is-match")).to_have_count(1)
    expect(page.locator(f"{SPAN_ROW}.is-match")).to_have_attribute("data-status", "error")
    search.fill("no-such-thing")
    expect(page.locator(".sp-nomatch")).to_be_visible()


def test_spans_panel_follows_links_to_the_producer(page: Page) -> None:
    trace = simulate(page, {"template": "kafka-fanout", "variant": "success"})
    consumer = next(s for s in trace["spans"] if s["links"])
    target = consumer["links"][0]["span_id"]
    open_scenario(page, "kafka-fanout", "success")
    show_tab(page, "spans")
    row(page, consumer["span_id"], SPAN_ROW).click()
    link = page.locator(f".sd-link[data-link-span-id='{target}']")
    expect(link).to_contain_text("follows from")
    link.click()
    assert state(page, "selectedSpanId") == target
    expect(row(page, target, SPAN_ROW)).to_have_class(_has("is-selected"))
    expect(page.locator(f".sd[data-detail-for='{target}']")).to_be_visible()


def test_spans_panel_opens_the_span_selected_elsewhere(page: Page) -> None:
    trace = simulate(page, {"template": "redis-cache", "variant": "slow"})
    open_scenario(page, "redis-cache", "slow")
    show_tab(page, "spans")
    ids = [span_by_node(trace, n)["span_id"] for n in ("frontend", "backend", "redis", "db")]

    def detail(sid: str) -> Locator:
        return page.locator(f".sd[data-detail-for='{sid}']")

    select = "(id) => window.__traceplay.store.set({ selectedSpanId: id })"
    page.evaluate(select, ids[0])  # as if clicked on the canvas or the waterfall
    expect(detail(ids[0])).to_be_visible()
    page.evaluate(select, ids[1])  # the next selection replaces the details it opened ...
    expect(detail(ids[1])).to_be_visible()
    expect(detail(ids[0])).to_have_count(0)
    row(page, ids[2], SPAN_ROW).click()  # ... but details the user opened stay open
    page.evaluate(select, ids[3])
    expect(detail(ids[3])).to_be_visible()
    expect(detail(ids[2])).to_be_visible()
    expect(detail(ids[1])).to_have_count(0)


# ------------------------------------------------------------------ analysis


def test_analysis_shows_findings_in_order_and_points_at_their_spans(page: Page) -> None:
    open_scenario(page, "redis-cache", "error")
    analysis = state(page, "analysis")
    show_tab(page, "analysis")
    findings = page.locator(FINDING)
    expect(findings).to_have_count(len(analysis["findings"]))
    ids = findings.evaluate_all("els => els.map(e => e.dataset.findingId)")
    assert ids == [f["id"] for f in analysis["findings"]]
    severity = analysis["severity"]
    expect(page.get_by_test_id("analysis-severity")).to_contain_text(severity.capitalize())
    expect(page.get_by_test_id("analysis-headline")).to_have_text(analysis["headline"])
    first = analysis["findings"][0]
    card = page.locator(f"{FINDING}[data-finding-id='{first['id']}']")
    expect(card).to_contain_text(first["title"])
    expect(card.locator(".an-f-sev")).to_contain_text(
        first["severity"].capitalize()
    )  # a word, not colour only
    for tip in analysis["tips"]:
        expect(page.locator(".an-list.is-tips")).to_contain_text(tip)
    for fix in analysis["fixes"]:
        expect(page.locator(".an-list.is-fixes")).to_contain_text(fix)

    with_spans = next(f for f in analysis["findings"] if f["span_ids"])
    show = page.locator(f"{FINDING}[data-finding-id='{with_spans['id']}'] [data-testid='finding-show']")
    show.hover()
    assert state(page, "hoverSpanId") == with_spans["span_ids"][0]
    node_id = next(
        s["node_id"] for s in state(page, "trace")["spans"] if s["span_id"] == with_spans["span_ids"][0]
    )
    expect(page.locator(f"[data-testid='canvas-node'][data-node-id='{node_id}']")).to_have_class(_has("hl"))
    show.click()
    assert state(page, "selectedSpanId") == with_spans["span_ids"][0]
    expect(page.locator(f"{FINDING}[data-finding-id='{with_spans['id']}']")).to_have_class(_has("is-linked"))


def test_empty_panels_explain_what_they_will_show(page: Page) -> None:
    open_scenario(page, "simple", "success")
    page.evaluate("() => window.__traceplay.store.set({ trace: null, analysis: null })")
    expect(page.locator(".wf-empty")).to_be_visible()
    expect(page.locator(".wf-empty")).to_contain_text("time axis")
    expect(page.locator(WF_ROW)).to_have_count(0)
    show_tab(page, "spans")
    expect(page.locator(".sp-empty")).to_contain_text("attributes")
    show_tab(page, "analysis")
    expect(page.locator(".an-empty")).to_contain_text("critical path")
    expect(page.locator(FINDING)).to_have_count(0)


# ------------------------------------------------------------------ big traces


BIG_FLOW = {
    "id": "big",
    "name": "Ten thousand calls",
    "nodes": [
        {"id": "api", "component": "backend", "x": 0, "y": 0, "latency_ms": 2},
        {"id": "db", "component": "postgresql", "x": 200, "y": 0, "latency_ms": 1},
    ],
    "edges": [{"id": "api-db", "source": "api", "target": "db", "operation": "SELECT 1", "repeat": 9999}],
}


def load_big_trace(page: Page) -> dict[str, Any]:
    """Simulate a 10,000-span flow on the server and put it (and its analysis) into the page."""
    open_scenario(page, "simple", "success")
    info: dict[str, Any] = page.evaluate(
        """async (flow) => {
            const { api, store } = window.__traceplay;
            const trace = await api.simulate({ flow, variant: 'success' });
            const analysis = await api.analyze({ flow, variant: 'success' });
            const t0 = performance.now();
            store.set({ trace, analysis, cursorMs: 0, selectedSpanId: null });
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            return { spans: trace.spans.length, last: trace.spans[trace.spans.length - 1].span_id,
                     ms: performance.now() - t0 };
        }""",
        BIG_FLOW,
    )
    assert info["spans"] == 10_000
    return info


def dom_size(page: Page, selector: str) -> int:
    size: int = page.locator(selector).evaluate("el => el.querySelectorAll('*').length")
    return size


def test_a_ten_thousand_span_trace_stays_virtualised_in_the_waterfall(page: Page) -> None:
    info = load_big_trace(page)
    expect(page.locator(".wf-summary")).to_contain_text("10,000 spans")
    rows = page.locator(WF_ROW).count()
    assert 0 < rows <= 80
    assert dom_size(page, ".wf") < 1000
    expect(row(page, info["last"])).to_have_count(0)  # not rendered until scrolled to
    page.locator(".wf-viewport").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(row(page, info["last"])).to_be_visible()
    assert dom_size(page, ".wf") < 1000
    page.locator(".wf-viewport").evaluate("el => { el.scrollTop = el.scrollHeight / 2; }")
    expect(page.locator(WF_ROW).first).to_be_visible()
    assert page.locator(WF_ROW).count() <= 80
    # the keyboard reaches the end too
    page.locator(WF_ROW).first.focus()
    page.keyboard.press("Home")
    page.keyboard.press("End")
    expect(row(page, info["last"])).to_be_focused()


def test_a_ten_thousand_span_trace_stays_virtualised_in_the_spans_list(page: Page) -> None:
    info = load_big_trace(page)
    show_tab(page, "spans")
    expect(page.locator(".sp-count")).to_have_text("10,000 spans")
    assert 0 < page.locator(SPAN_ROW).count() <= 80
    assert dom_size(page, ".sp") < 1000
    page.locator(".sp-viewport").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(row(page, info["last"], SPAN_ROW)).to_be_visible()
    row(page, info["last"], SPAN_ROW).click()
    expect(page.locator(f".sd[data-detail-for='{info['last']}']")).to_be_visible()
    assert dom_size(page, ".sp") < 1000
    page.get_by_test_id("span-search").fill("SELECT")
    expect(page.locator(".sp-count")).to_have_text("9,999 of 10,000 spans match")


# ------------------------------------------------------------------ AI


def fulfil_json(body: dict[str, Any], status: int = 200) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    return handle


def sse(*events: tuple[str, dict[str, Any]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def test_ai_form_when_no_model_is_configured_keeps_the_key_in_the_browser(page: Page) -> None:
    page.route("**/api/llm/status", fulfil_json(NOT_CONFIGURED))
    sent: list[dict[str, Any]] = []

    def answer(route: Route) -> None:
        sent.append(route.request.post_data_json or {})
        body = sse(
            (
                "delta",
                {
                    "text": "## Summary\nRedis **failed** but the request "
                    "<img src=x onerror=alert(1)> worked.\n"
                },
            ),
            ("delta", {"text": "- check `redis` health\n- add a breaker\n"}),
            ("done", {"provider": "groq", "model": "llama-3.3-70b-versatile"}),
        )
        route.fulfill(status=200, content_type="text/event-stream", body=body)

    page.route("**/api/analyze/ai", answer)
    open_scenario(page, "redis-cache", "error")
    show_tab(page, "analysis")
    form = page.get_by_test_id("ai-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("ai-provider").locator("option")).to_have_count(4)
    page.get_by_test_id("ai-provider").select_option("gemini")
    page.get_by_test_id("ai-submit").click()  # no key yet: a clear message, no request
    expect(page.get_by_test_id("ai-error")).to_contain_text("API key")
    assert sent == []

    page.get_by_test_id("ai-model").fill("gemini-2.0-flash")
    page.get_by_test_id("ai-key").fill("sk-test-123")
    page.get_by_test_id("ai-submit").click()
    out = page.get_by_test_id("ai-output")
    expect(out).to_contain_text("add a breaker")
    expect(out.locator("strong")).to_have_text("failed")
    expect(out.locator("li")).to_have_count(2)
    expect(out.locator("code")).to_have_text("redis")
    expect(out).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text ...
    expect(out.locator("img")).to_have_count(0)  # ... never as markup
    expect(page.get_by_test_id("ai-state")).to_contain_text("llama-3.3-70b-versatile")

    assert len(sent) == 1
    assert sent[0]["provider"] == "gemini" and sent[0]["model"] == "gemini-2.0-flash"
    assert sent[0]["api_key"] == "sk-test-123"
    assert sent[0]["template"] == "redis-cache" and sent[0]["trace"]["trace_id"]
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('traceplay.llm'))")
    assert stored == {"provider": "gemini", "model": "gemini-2.0-flash", "api_key": "sk-test-123"}
    expect(page.locator(FINDING).first).to_be_visible()

    page.reload()  # the key comes back from localStorage, and only there
    page.wait_for_function("() => window.__traceplay?.store.get().analysis")
    show_tab(page, "analysis")
    expect(page.get_by_test_id("ai-key")).to_have_value("sk-test-123")
    page.get_by_role("button", name="Forget key").click()
    assert page.evaluate("() => localStorage.getItem('traceplay.llm')") is None


def test_ai_form_lists_the_servers_providers_by_name(page: Page) -> None:
    # the real /api/llm/status (no model configured in the test server): providers as objects
    open_scenario(page, "simple", "error")
    show_tab(page, "analysis")
    options = page.get_by_test_id("ai-provider").locator("option")
    expect(options.first).to_have_text("Groq")
    texts = options.all_inner_texts()
    assert "Google Gemini" in texts and "Ollama (local)" in texts
    assert not any("object" in t for t in texts)
    # a provider the server cannot use (a custom endpoint without its URL) is not offered
    values = [o.get_attribute("value") for o in options.all()]
    assert values == ["groq", "gemini", "openai", "ollama"]
    page.get_by_test_id("ai-provider").select_option("ollama")
    expect(page.get_by_test_id("ai-model")).to_have_attribute("placeholder", "llama3.2")
    expect(page.get_by_test_id("ai-key")).to_have_attribute("placeholder", "not needed for this provider")


def test_ai_failure_shows_a_message_and_the_findings_stay(page: Page) -> None:
    page.route("**/api/llm/status", fulfil_json(CONFIGURED))
    replies = [
        sse(
            ("delta", {"text": "Looking at the"}),
            (
                "error",
                {"error": {"code": "llm_failed", "message": "the provider answered 401: invalid API key"}},
            ),
        ),
    ]
    page.route(
        "**/api/analyze/ai",
        lambda route: route.fulfill(status=200, content_type="text/event-stream", body=replies.pop(0)),
    )
    open_scenario(page, "redis-cache", "error")
    show_tab(page, "analysis")
    count = len(state(page, "analysis")["findings"])
    expect(page.get_by_test_id("ai-form")).to_be_hidden()
    page.get_by_test_id("ai-explain").click()
    error = page.get_by_test_id("ai-error")
    expect(error).to_contain_text("invalid API key")
    expect(page.get_by_test_id("ai-output")).to_contain_text("Looking at the")
    expect(page.locator(FINDING)).to_have_count(count)


def test_ai_http_error_and_cancel(page: Page, guard: Any) -> None:
    guard.allow(r"status of 422")
    page.route("**/api/llm/status", fulfil_json(CONFIGURED))
    held: list[Route] = []
    calls = {"n": 0}

    def handle(route: Route) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            route.fulfill(
                status=422,
                content_type="application/json",
                body=json.dumps(
                    {"error": {"code": "invalid", "message": "model: not a valid name", "details": {}}}
                ),
            )
        else:
            held.append(route)  # never answered: the user stops it

    page.route("**/api/analyze/ai", handle)
    open_scenario(page, "redis-cache", "success")
    show_tab(page, "analysis")
    count = len(state(page, "analysis")["findings"])
    page.get_by_test_id("ai-explain").click()
    expect(page.get_by_test_id("ai-error")).to_contain_text("model: not a valid name")
    expect(page.locator(FINDING)).to_have_count(count)

    page.get_by_test_id("ai-explain").click()
    expect(page.get_by_test_id("ai-cancel")).to_be_visible()
    expect(page.get_by_test_id("ai-error")).to_be_hidden()
    page.get_by_test_id("ai-cancel").click()
    expect(page.get_by_test_id("ai-state")).to_contain_text("Stopped")
    expect(page.get_by_test_id("ai-explain")).to_be_visible()
    assert state(page, "aiStatus") == "cancelled"


# ------------------------------------------------------------------ screenshots


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_panel_screenshots(new_page: Callable[..., Page], screenshot: Callable[..., Path], size: str) -> None:
    phone = size == "phone"
    options: dict[str, Any] = (
        {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    )
    page = new_page(390 if phone else 1440, 844 if phone else 900, **options)
    page.route("**/api/llm/status", fulfil_json(NOT_CONFIGURED))
    open_scenario(page, "redis-cache", "error")
    page.evaluate("() => window.__traceplay.store.set({ cursorMs: 30 })")
    for panel in ("waterfall", "spans", "analysis"):
        show_tab(page, panel)
        if panel == "spans":
            page.locator(SPAN_ROW).nth(2).click()
        if phone:
            page.locator("#panels").scroll_into_view_if_needed()
        page.wait_for_timeout(150)
        path = screenshot(page, f"panel-{panel}-{size}")
        assert path.stat().st_size > 10_000


def _has(cls: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(cls)}(\s|$)")
