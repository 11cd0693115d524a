"""The learning loop in the page: compare two variants, the critical path and the waterfall filters,
apply a fix and see the comparison, step through a request, check yourself (right and wrong, with
explanations), progress kept across a reload, and the learning path. Screenshots: learn-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pagestate import state, wait_for_analysis

ROW = "[data-testid='waterfall-row']"


def open_scenario(page: Page, scenario: str, variant: str = "success") -> None:
    page.goto(f"/?scenario={scenario}&variant={variant}")
    wait_for_analysis(page)
    page.evaluate("() => window.__traceplay.actions.pause()")


def row_of(page: Page, span_id: str) -> Any:
    return page.locator(f"{ROW}[data-span-id='{span_id}']")


# ------------------------------------------------------------------ compare


def test_compare_two_variants_shows_rows_summary_heat_and_badges(
    page: Page, screenshot: Callable[..., Path]
) -> None:
    open_scenario(page, "simple", "slow")
    page.get_by_test_id("compare-button").click()
    expect(page.get_by_test_id("panel-compare")).to_be_visible()
    rows = page.get_by_test_id("compare-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-change", "slower")
    summary = page.get_by_test_id("compare-summary")
    expect(summary).to_contain_text("+2.75 s")
    expect(summary).to_contain_text("PostgreSQL")
    # the canvas glows where the time went: the database got slower, the callers only waited
    db = page.locator("[data-testid='canvas-node'][data-node-id='db']")
    expect(db).to_have_attribute("data-heat", "up")
    expect(page.locator("[data-testid='canvas-node'][data-node-id='frontend']")).not_to_have_attribute(
        "data-heat", "up"
    )
    assert state(page, "s.comparison.base.variant") == "success"
    screenshot(page, "learn-compare-desktop")
    # a row selects its span; the waterfall shows the baseline badge on each span
    rows.nth(2).click()
    assert state(page, "s.selectedSpanId") == rows.nth(2).get_attribute("data-span-id")
    page.get_by_test_id("tab-waterfall").click()
    badges = page.get_by_test_id("baseline-badge")
    expect(badges.first).to_be_visible()
    expect(badges.first).to_contain_text("its time in the success variant")
    # ... and so does the spans list, on the same span
    db_span = state(page, "s.trace.spans.find(x => x.node_id === 'db').span_id")
    page.get_by_test_id("tab-spans").click()
    span_row = page.locator(f"[data-testid='span-row'][data-span-id='{db_span}']")
    span_badge = span_row.get_by_test_id("baseline-badge")
    expect(span_badge).to_be_visible()
    expect(span_badge).to_contain_text("× its time in the success variant")
    screenshot(page, "learn-compare-spans")
    # another baseline from the panel; switching to the baseline's variant compares with the one left
    page.get_by_test_id("tab-compare").click()
    page.get_by_test_id("compare-baseline").select_option("error")
    page.wait_for_function("() => window.__traceplay.store.get().comparison?.base.variant === 'error'")
    page.locator("[data-testid='variant-button'][data-variant='error']").click()
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.comparison && s.comparison.base.variant === 'slow'"
        " && s.comparison.other.variant === 'error'; }"
    )
    expect(page.get_by_test_id("compare-summary")).to_contain_text("fail")
    page.get_by_test_id("compare-stop").click()
    expect(page.get_by_test_id("compare-row")).to_have_count(0)
    expect(db).not_to_have_attribute("data-heat", "up")


def test_critical_path_on_the_diagram_and_filter_pills(page: Page) -> None:
    open_scenario(page, "api-gateway-microservices", "slow")
    critical = set(state(page, "s.analysis.critical_path"))
    total = page.locator(ROW).count()
    assert total > len(critical) > 1
    page.get_by_test_id("critical-toggle").click()
    marked = page.locator(".edge.lp-crit")
    assert marked.count() >= 1
    assert page.locator(".node.lp-crit").count() >= 2
    pill = page.locator("[data-testid='filter-pill'][data-filter='critical']")
    pill.click()
    expect(pill).to_have_attribute("aria-pressed", "true")
    expect(page.locator(ROW)).to_have_count(len(critical))
    shown = {r.get_attribute("data-span-id") for r in page.locator(ROW).all()}
    assert shown == critical
    slowest = page.locator("[data-testid='filter-pill'][data-filter='slowest']")
    slowest.click()
    expect(pill).to_have_attribute("aria-pressed", "false")
    n = page.locator(ROW).count()
    assert n >= 1 and n < total
    slowest.click()
    expect(page.locator(ROW)).to_have_count(total)
    # nothing failed in the slow run: the errors pill has nothing to show
    expect(page.locator("[data-testid='filter-pill'][data-filter='errors']")).to_be_disabled()
    page.get_by_test_id("critical-toggle").click()
    expect(page.locator(".edge.lp-crit")).to_have_count(0)


def test_errors_pill_keeps_the_failing_spans(page: Page) -> None:
    open_scenario(page, "simple", "error")
    failing = state(page, "s.trace.spans.filter(x => x.status === 'error').length")
    page.locator("[data-testid='filter-pill'][data-filter='errors']").click()
    expect(page.locator(ROW)).to_have_count(failing)
    for r in page.locator(ROW).all():
        expect(r).to_have_attribute("data-status", "error")


# ------------------------------------------------------------------ fix it, re-run it


def test_apply_a_fix_reruns_and_opens_the_comparison(page: Page, screenshot: Callable[..., Path]) -> None:
    open_scenario(page, "simple", "error")
    page.get_by_test_id("tab-analysis").click()
    apply = page.locator("[data-testid='fix-apply'][data-fix-id='circuit-breaker']")
    expect(apply).to_be_visible()
    # the offer sits on the finding it answers
    assert apply.evaluate("b => !!b.closest('[data-testid=finding]')")
    screenshot(page, "learn-fix-offer")
    apply.click()
    expect(page.get_by_test_id("panel-compare")).to_be_visible()
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.flow.id.endsWith('-fixed') && s.trace && !s.loading && s.comparison"
        " && s.comparison.other.trace_id === s.trace.trace_id; }"
    )
    expect(page.get_by_test_id("scenario-name")).to_contain_text("(fixed)")
    # the fix went into a custom copy, saved in My flows; the built-in stays as written
    fixed_id = state(page, "s.flow.id")
    assert state(page, "s.customId") == fixed_id and state(page, "s.scenarioId") is None
    expect(page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fixed_id}']")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"flow={fixed_id}"))
    # the breaker is open: PostgreSQL is not called, the request fails fast
    expect(page.locator("[data-testid='compare-row'][data-change='removed']")).to_have_count(1)
    expect(page.get_by_test_id("compare-summary")).not_to_be_empty()
    assert state(page, "s.comparison.response_delta_ms") < 0
    assert state(page, "s.variant") == "error"
    screenshot(page, "learn-fix-compare")
    # the fixed copy is saved: a reload brings it back, with the circuit breaker in it
    page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'saved'")
    page.reload()
    page.wait_for_function(
        "id => { const s = window.__traceplay.store.get(); return s.customId === id && s.trace; }",
        arg=fixed_id,
    )
    assert "circuit" in str(state(page, "s.flow.edges")).lower()
    # applying a second fix updates the same copy instead of making another one
    count = page.get_by_test_id("custom-flow-item").count()
    page.locator("[data-testid='variant-button'][data-variant='slow']").click()
    wait_for_analysis(page)
    page.get_by_test_id("tab-analysis").click()
    second = page.locator("[data-testid='fix-apply'][data-fix-id='add-cache']")
    expect(second).to_be_visible()
    second.click()
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get(); return s.comparison && !s.loading; }"
    )
    assert state(page, "s.customId") == fixed_id and state(page, "s.variant") == "slow"
    expect(page.get_by_test_id("custom-flow-item")).to_have_count(count)
    # one undo takes the fix back: the "before the fix" comparison goes with it
    page.get_by_test_id("undo-button").click()
    page.wait_for_function("() => !window.__traceplay.store.get().baseline")
    expect(page.get_by_test_id("compare-row")).to_have_count(0)
    # the built-in itself was never changed
    open_scenario(page, "simple", "error")
    assert state(page, "s.edited") is False
    assert "circuit" not in str(state(page, "s.flow.edges")).lower()


# ------------------------------------------------------------------ step-through


def test_step_through_a_scenario(page: Page, screenshot: Callable[..., Path]) -> None:
    open_scenario(page, "simple", "success")
    page.get_by_test_id("step-toggle").click()
    caption = page.get_by_test_id("step-caption")
    expect(caption).to_be_visible()
    expect(caption).to_contain_text("Step 1 of")
    expect(caption).to_contain_text("Frontend sends")
    first = state(page, "s.stepping.steps[0]")
    assert state(page, "s.cursorMs") == first["t_ms"]
    assert state(page, "s.selectedSpanId") == first["span_id"]
    texts = [caption.inner_text()]
    cursors = [state(page, "s.cursorMs")]
    page.get_by_test_id("step-next").click()
    expect(caption).to_contain_text("Step 2 of")
    texts.append(caption.inner_text())
    page.locator("body").press("ArrowRight")  # the keyboard steps too
    expect(caption).to_contain_text("Step 3 of")
    texts.append(caption.inner_text())
    cursors.append(state(page, "s.cursorMs"))
    assert len(set(texts)) == 3
    assert cursors[1] > cursors[0]
    step = state(page, "s.stepping.steps[2]")
    assert state(page, "s.cursorMs") == step["t_ms"]
    # the hop is marked on the diagram
    target = step["to_node"] or step["node_id"]
    expect(page.locator(f"[data-testid='canvas-node'][data-node-id='{target}']")).to_have_class(
        re.compile(r"\blp-step\b")
    )
    screenshot(page, "learn-step-desktop")
    page.get_by_test_id("step-prev").click()
    expect(caption).to_contain_text("Step 2 of")
    page.locator("body").press("Escape")
    expect(caption).to_be_hidden()


# ------------------------------------------------------------------ check yourself


def answer_choice_until_right(page: Page, question: Any) -> None:
    for i in range(question.get_by_test_id("quiz-choice").count()):
        question.get_by_test_id("quiz-choice").nth(i).click()
        feedback = question.get_by_test_id("quiz-feedback")
        expect(feedback).to_be_visible()
        if feedback.get_attribute("data-correct") == "true":
            return
        question.get_by_test_id("quiz-retry").click()
    raise AssertionError("no choice was right")


def test_answer_a_question_wrong_then_right_and_keep_progress(
    page: Page, screenshot: Callable[..., Path]
) -> None:
    open_scenario(page, "simple", "success")
    page.get_by_test_id("tab-learn").click()
    questions = page.get_by_test_id("quiz-question")
    expect(questions.first).to_be_visible()
    ids = [q.get_attribute("data-question-id") for q in questions.all()]
    assert ids == ["response-time", "client-received"]
    bottleneck = state(page, "s.analysis.bottleneck")
    root = state(page, "s.trace.spans.find(x => !x.parent_id).span_id")
    assert bottleneck != root

    # wrong: click the root span in the waterfall
    rt = page.locator("[data-testid='quiz-question'][data-question-id='response-time']")
    rt.get_by_test_id("quiz-pick").click()
    expect(page.get_by_test_id("panel-waterfall")).to_be_visible()
    expect(page.get_by_test_id("quiz-banner")).to_contain_text("Which span decides the response time")
    row_of(page, root).click()
    banner = page.get_by_test_id("quiz-banner")
    expect(banner).to_have_attribute("data-correct", "false")
    expect(banner).to_contain_text("Not quite")
    screenshot(page, "learn-quiz-banner")
    page.get_by_test_id("tab-learn").click()
    feedback = rt.get_by_test_id("quiz-feedback")
    expect(feedback).to_have_attribute("data-correct", "false")
    wrong_text = feedback.inner_text()
    assert len(wrong_text) > 40

    # right: try again and click the bottleneck
    rt.get_by_test_id("quiz-retry").click()
    rt.get_by_test_id("quiz-pick").click()
    row_of(page, bottleneck).click()
    expect(page.get_by_test_id("quiz-banner")).to_have_attribute("data-correct", "true")
    page.get_by_test_id("tab-learn").click()
    expect(rt.get_by_test_id("quiz-feedback")).to_have_attribute("data-correct", "true")
    expect(rt.get_by_test_id("quiz-feedback")).to_contain_text("Yes.")

    answer_choice_until_right(page, page.locator("[data-question-id='client-received']"))
    expect(page.get_by_test_id("quiz-progress")).to_contain_text("all 2 right")
    screenshot(page, "learn-quiz-desktop")
    mark = page.locator("[data-testid='progress-mark'][data-scenario-id='simple']")
    expect(mark).to_have_attribute("data-level", "done")

    # kept after a reload; the learning path suggests the next scenario
    page.reload()
    wait_for_analysis(page)
    expect(page.locator("[data-testid='progress-mark'][data-scenario-id='simple']")).to_have_attribute(
        "data-level", "done"
    )
    saved = page.evaluate("() => JSON.parse(localStorage.getItem('traceplay.progress.v1'))")
    assert saved["scenarios"]["simple"]["success"]["passed"] == ["response-time", "client-received"]
    page.get_by_test_id("tab-learn").click()
    page.get_by_test_id("learn-view-path").click()
    nxt = page.get_by_test_id("path-next")
    expect(nxt).to_be_visible()
    assert nxt.get_attribute("data-scenario-id") != "simple"
    expect(page.locator("[data-testid='path-scenario'][data-scenario-id='simple']")).to_contain_text("✓")
    screenshot(page, "learn-path-desktop")
    target = nxt.get_attribute("data-scenario-id")
    nxt.click()
    page.wait_for_function(f"() => window.__traceplay.store.get().scenarioId === '{target}'")


def test_pick_a_node_on_the_diagram_for_the_error_origin(page: Page) -> None:
    open_scenario(page, "simple", "error")
    page.get_by_test_id("tab-learn").click()
    q = page.locator("[data-testid='quiz-question'][data-question-id='error-origin']")
    q.get_by_test_id("quiz-pick").click()
    origin = state(page, "s.trace.spans.find(x => x.span_id === s.analysis.error_origin).node_id")
    page.locator(f"[data-testid='canvas-node'][data-node-id='{origin}']").click()
    expect(q.get_by_test_id("quiz-feedback")).to_have_attribute("data-correct", "true")


# ------------------------------------------------------------------ phone


def test_phone_compare_and_step(phone_page: Page, screenshot: Callable[..., Path]) -> None:
    page = phone_page
    open_scenario(page, "simple", "slow")
    page.get_by_test_id("compare-button").tap()
    expect(page.get_by_test_id("compare-row")).to_have_count(3)
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    screenshot(page, "learn-compare-phone")
    page.get_by_test_id("step-toggle").tap()
    expect(page.get_by_test_id("step-caption")).to_contain_text("Step 1 of")
    page.get_by_test_id("step-next").tap()
    expect(page.get_by_test_id("step-caption")).to_contain_text("Step 2 of")
    screenshot(page, "learn-step-phone")
    page.get_by_test_id("tab-learn").tap()
    expect(page.get_by_test_id("quiz-question").first).to_be_visible()
    screenshot(page, "learn-quiz-phone")
