"""Real traces in the page: open a trace file (picker or drop), see its graph animated with the
recorded spans, simulate the graph and come back, save it as a custom flow, pick a trace of a file
holding several, a bad file changes nothing, and Export writes each format."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Guard
from tests.browser.pagestate import state, wait_for_analysis

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
ROW = "[data-testid='waterfall-row']"


def wait_recorded(page: Page) -> None:
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.imported && s.trace === s.imported.trace && s.analysis && !s.loading; }"
    )


def open_trace(page: Page, path: Path) -> None:
    page.get_by_test_id("trace-input").set_input_files(str(path))
    wait_recorded(page)


def test_open_a_jaeger_trace_see_it_on_the_canvas_and_keep_it(
    page: Page, screenshot: Callable[..., Path]
) -> None:
    page.goto("/?scenario=simple")
    wait_for_analysis(page)
    open_trace(page, FIXTURES / "jaeger-petclinic-2svc.json")
    # the graph of its services, the recorded spans in every panel, an analysis of the real trace
    expect(page.get_by_test_id("canvas-node")).to_have_count(2)
    labels = page.get_by_test_id("canvas-node").all_text_contents()
    assert any("api-gateway" in t for t in labels) and any("customers-service" in t for t in labels)
    expect(page.locator(ROW)).to_have_count(5)
    assert state(page, "s.trace.spans.length") == 5 and state(page, "s.scenarioId") is None
    expect(page.get_by_test_id("imported-title")).to_have_text("Recorded trace")
    expect(page.get_by_test_id("trace-file")).to_contain_text("jaeger-petclinic-2svc.json")
    expect(page.get_by_test_id("trace-file")).to_contain_text("Jaeger JSON · 5 spans · 2 services")
    assert state(page, "s.analysis.findings.length") >= 1
    expect(page).to_have_url(re.compile(r"\?trace=jaeger-petclinic-2svc\.json$"))
    # the spans play on the graph: every span is tied to a node of it
    nodes = set(state(page, "s.flow.nodes.map(n => n.id)"))
    assert {sp for sp in state(page, "s.trace.spans.map(x => x.node_id)")} <= nodes
    page.evaluate("() => window.__traceplay.actions.play()")
    page.wait_for_function("() => window.__traceplay.store.get().cursorMs > 0")
    page.evaluate("() => window.__traceplay.actions.pause()")
    screenshot(page, "trace-import-desktop")
    # a reload shows it again (the tab keeps the last import)
    page.reload()
    wait_recorded(page)
    expect(page.locator(ROW)).to_have_count(5)
    # the graph becomes a custom flow that survives reloads
    banner = page.get_by_test_id("readonly-banner")
    expect(banner).to_contain_text("imported trace")
    page.get_by_test_id("duplicate-to-edit").click()
    page.wait_for_function("() => window.__traceplay.store.get().customId")
    fid = state(page, "s.customId")
    assert state(page, "s.imported") is None
    page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'saved'")
    page.reload()
    wait_for_analysis(page)
    expect(page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fid}']")).to_be_visible()
    assert state(page, "s.customId") == fid and state(page, "s.flow.nodes.length") == 2


def test_simulating_the_graph_and_back_to_the_recorded_trace(page: Page) -> None:
    page.goto("/")
    wait_for_analysis(page)
    open_trace(page, FIXTURES / "zipkin-yelp.json")
    recorded_id = state(page, "s.trace.trace_id")
    expect(page.locator(ROW)).to_have_count(16)
    # another variant simulates the derived graph: said plainly, with the way back
    page.locator("[data-testid='variant-button'][data-variant='error']").click()
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.trace && s.trace !== s.imported.trace && !s.loading; }"
    )
    expect(page.get_by_test_id("imported-title")).to_contain_text("Simulated")
    assert state(page, "s.trace.status") == "error"
    page.get_by_test_id("back-to-recorded").click()
    wait_recorded(page)
    assert state(page, "s.trace.trace_id") == recorded_id and state(page, "s.variant") == "success"
    # an edit of the graph simulates it too; revert goes back to the recording
    page.evaluate(
        "() => { const a = window.__traceplay.actions, f = window.__traceplay.store.get().flow;"
        " a.editFlow({...f, edges: f.edges.slice(1)}, {label: 'drop a call'}); }"
    )
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.trace !== s.imported.trace && !s.loading; }"
    )
    page.get_by_test_id("back-to-recorded").click()
    wait_recorded(page)
    # opening a scenario leaves the imported trace
    page.locator("[data-testid='scenario-item'][data-scenario-id='simple']").click()
    page.wait_for_function("() => window.__traceplay.store.get().scenarioId === 'simple'")
    wait_for_analysis(page)
    assert state(page, "s.imported") is None
    expect(page.get_by_test_id("trace-file")).to_have_count(0)


def test_pick_one_trace_of_a_file_holding_several(page: Page, tmp_path: Path) -> None:
    a = json.loads((FIXTURES / "jaeger-petclinic-2svc.json").read_text())
    b = json.loads((FIXTURES / "otlp-multi-out.jaeger.json").read_text())
    first = a["data"][0] if "data" in a else a
    both = tmp_path / "two-traces.json"
    both.write_text(json.dumps({"data": [first, *b["data"]]}))
    page.goto("/")
    wait_for_analysis(page)
    open_trace(page, both)
    pick = page.get_by_test_id("trace-pick")
    expect(pick.locator("option")).to_have_count(2)
    assert state(page, "s.trace.spans.length") == 5
    pick.select_option("1")
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get(); return s.imported && s.imported.index === 1"
        " && s.trace === s.imported.trace; }"
    )
    assert state(page, "s.trace.spans.length") == 4
    expect(page.get_by_test_id("trace-pick")).to_have_value("1")


def test_a_dropped_trace_opens_and_a_dropped_flow_is_imported(page: Page) -> None:
    page.goto("/")
    wait_for_analysis(page)
    jsonl = (FIXTURES / "otlp-multi-in.jsonl").read_text()
    simple = page.evaluate("() => fetch('/api/templates/simple').then(r => r.json())")
    page.evaluate(
        """([jsonl, simple]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([jsonl], 'collector-output.jsonl'));
            dt.items.add(new File([JSON.stringify({...simple, id: 'mine', name: 'Mine'})], 'mine.json'));
            const drop = new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true});
            document.getElementById('canvas').dispatchEvent(drop);
        }""",
        [jsonl, simple],
    )
    page.wait_for_function("() => window.__traceplay.store.get().customFlows.some(f => f.id === 'mine')")
    # the flow went to My flows (and is open); the trace was read as OTLP JSON Lines
    assert state(page, "s.customId") == "mine"
    page.get_by_test_id("trace-input").set_input_files(str(FIXTURES / "otlp-multi-in.jsonl"))
    wait_recorded(page)
    assert state(page, "s.imported.format") == "otlp" and state(page, "s.trace.spans.length") == 4


def test_a_bad_trace_file_says_what_is_wrong_and_changes_nothing(
    page: Page, guard: Guard, tmp_path: Path
) -> None:
    guard.allow(r"422|Unprocessable")
    page.goto("/?scenario=redis-cache")
    wait_for_analysis(page)
    before = state(page, "JSON.stringify([s.flow, s.trace.trace_id, s.scenarioId])")
    bad = tmp_path / "broken.otlp.json"
    bad.write_text(
        json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz", "spanId": "1"}]}]}]})
    )
    page.get_by_test_id("trace-input").set_input_files(str(bad))
    err = page.get_by_test_id("trace-error")
    expect(err).to_be_visible()
    expect(err).to_contain_text("broken.otlp.json")
    expect(err).to_contain_text("traceId")
    assert state(page, "JSON.stringify([s.flow, s.trace.trace_id, s.scenarioId])") == before
    assert state(page, "s.imported") is None
    page.get_by_test_id("trace-error-dismiss").click()
    expect(err).to_have_count(0)


def test_export_the_trace_on_screen_in_each_format(page: Page, tmp_path: Path) -> None:
    page.goto("/?scenario=kafka-fanout&variant=error")
    wait_for_analysis(page)
    spans = state(page, "s.trace.spans.length")
    menu_button = page.get_by_test_id("trace-export")
    formats = ["otlp", "jaeger", "zipkin", "chrome", "traceplay"]
    for fmt in formats:
        menu_button.click()
        item = page.locator(f"[data-testid='trace-export-format'][data-format='{fmt}']")
        expect(item).to_be_visible()
        with page.expect_download() as info:
            item.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.stat().st_size > 0
        # what was written reads back as the same trace
        answer = page.evaluate(
            "async (text) => (await fetch('/api/traces/import?name=x', {method: 'POST', body: text})).json()",
            target.read_text(),
        )
        assert answer["format"] == fmt, fmt
        assert len(answer["trace"]["spans"]) == spans, fmt
    # the menu works from the keyboard: Escape closes it and gives focus back
    menu_button.click()
    expect(page.get_by_test_id("trace-export-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("trace-export-menu")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "trace-export"


def test_trace_import_on_a_phone(phone_page: Page, screenshot: Callable[..., Path]) -> None:
    page = phone_page
    page.goto("/")
    wait_for_analysis(page)
    page.get_by_test_id("drawer-button").click()
    expect(page.get_by_test_id("trace-open")).to_be_visible()
    page.get_by_test_id("trace-input").set_input_files(str(FIXTURES / "zipkin-messaging.json"))
    wait_recorded(page)
    expect(page.get_by_test_id("canvas-node")).to_have_count(3)
    page.evaluate("() => window.__traceplay.actions.toggleDrawer(false)")
    screenshot(page, "trace-import-phone")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390


def test_the_learning_tools_work_on_a_recorded_trace(page: Page) -> None:
    page.goto("/")
    wait_for_analysis(page)
    open_trace(page, FIXTURES / "zipkin-yelp.json")
    page.evaluate("() => window.__traceplay.actions.pause()")
    # step through the recorded request, hop by hop
    page.get_by_test_id("step-toggle").click()
    expect(page.get_by_test_id("step-caption")).to_contain_text("Step 1 of")
    page.get_by_test_id("step-next").click()
    expect(page.get_by_test_id("step-caption")).to_contain_text("Step 2 of")
    page.get_by_test_id("step-toggle").click()
    # the critical path on the diagram
    page.get_by_test_id("critical-toggle").click()
    assert page.locator(".node.lp-crit").count() >= 1
    # check yourself: questions about the recorded trace
    page.get_by_test_id("tab-learn").click()
    page.wait_for_function(
        "() => { const q = window.__traceplay.store.get().quiz; return q && q.status === 'ready'; }"
    )
    assert page.evaluate("() => window.__traceplay.store.get().quiz.questions.length") >= 1
    assert state(page, "s.trace === s.imported.trace")
