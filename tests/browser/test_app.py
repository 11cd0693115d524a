"""The page end to end in Chromium: scenarios, variants, canvas editing, faults, playback, theme,
links, the phone layout and the panels working together. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.pagestate import state

STATIC = Path(__file__).resolve().parents[2] / "src" / "traceplay" / "web" / "static"
NODE = "[data-testid='canvas-node']"
EDGE = "[data-testid='canvas-edge']"


def open_scenario(page: Page, scenario: str, variant: str = "success") -> None:
    page.goto(f"/?scenario={scenario}&variant={variant}")
    wait_for_trace(page)


def wait_for_trace(page: Page) -> None:
    page.wait_for_function(
        "() => { const s = window.__traceplay && window.__traceplay.store.get();"
        " return s && s.trace && !s.loading; }"
    )


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f"{NODE}[data-node-id='{node_id}']")


def position(locator: Locator) -> tuple[str, str]:
    return (locator.get_attribute("data-x") or "", locator.get_attribute("data-y") or "")


def template(server_url: str, tid: str) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(f"{server_url}/api/templates/{tid}").json()
    return doc


def pause(page: Page) -> None:
    page.evaluate("() => window.__traceplay.actions.pause()")


# ------------------------------------------------------------------ scenarios and variants


@pytest.mark.parametrize("scenario", ["simple", "redis-cache", "kafka-fanout", "rag-pipeline"])
def test_open_a_scenario_shows_its_graph_waterfall_and_spans(
    page: Page, server_url: str, scenario: str
) -> None:
    flow = template(server_url, scenario)
    open_scenario(page, scenario)
    expect(page.locator(NODE)).to_have_count(len(flow["nodes"]))
    expect(page.locator(EDGE)).to_have_count(len(flow["edges"]))
    expect(page.get_by_test_id("scenario-name")).to_have_text(flow["name"])
    expect(page.locator(f"[data-testid='scenario-item'][data-scenario-id='{scenario}']")).to_have_attribute(
        "aria-current", "true"
    )
    spans = state(page, "s.trace.spans.length")
    expect(page.get_by_test_id("waterfall-row").first).to_be_visible()
    assert 0 < page.get_by_test_id("waterfall-row").count() <= spans
    page.get_by_test_id("tab-spans").click()
    expect(page.get_by_test_id("span-row").first).to_be_visible()
    page.get_by_test_id("tab-analysis").click()
    expect(page.get_by_test_id("finding").first).to_be_visible()


def test_pick_scenarios_from_the_sidebar_and_search(page: Page) -> None:
    open_scenario(page, "simple")
    total = page.get_by_test_id("scenario-item").count()
    page.get_by_test_id("scenario-search").fill("stripe")
    items = page.get_by_test_id("scenario-item")
    expect(items.first).to_have_attribute("data-scenario-id", "stripe-api")  # name matches first
    assert items.count() >= 1 and items.count() < total
    page.get_by_test_id("scenario-search").fill("zzzz-nothing")
    expect(items).to_have_count(0)
    expect(page.locator(".scenario-list")).to_contain_text("No scenario matches")
    page.get_by_test_id("scenario-search").fill("stripe")
    items.first.click()
    expect(page).to_have_url(re.compile(r"scenario=stripe-api"))
    wait_for_trace(page)
    expect(page.get_by_test_id("scenario-name")).to_have_text("Stripe API")
    page.go_back()
    expect(page.get_by_test_id("scenario-name")).to_have_text("Simple")


def test_switching_variants_shows_the_error(page: Page) -> None:
    open_scenario(page, "redis-cache")
    expect(page.locator(f"{NODE}[data-status='error']")).to_have_count(0)
    expect(node(page, "db")).to_have_attribute("data-status", "idle")  # a cache hit never reaches the db
    page.locator("[data-testid='variant-button'][data-variant='error']").click()
    expect(page).to_have_url(re.compile(r"variant=error"))
    expect(node(page, "redis")).to_have_attribute("data-status", "error")
    expect(page.locator(f"{EDGE}[data-edge-id='be-redis']")).to_have_attribute("data-status", "error")
    expect(node(page, "db")).to_have_attribute("data-status", re.compile("ok|slow"))
    expect(page.locator("[data-testid='variant-button'][data-variant='error']")).to_have_attribute(
        "aria-checked", "true"
    )
    page.get_by_test_id("tab-spans").click()
    expect(page.locator("[data-testid='span-row'][data-status='error']").first).to_be_visible()


def test_the_address_restores_scenario_variant_and_faults_on_reload(page: Page) -> None:
    page.goto("/?scenario=redis-cache&variant=slow&fault=backend:error")
    wait_for_trace(page)
    assert state(page, "[s.scenarioId, s.variant, s.faults]") == ["redis-cache", "slow", {"backend": "error"}]
    expect(node(page, "backend")).to_have_attribute("data-status", "error")
    page.reload()
    wait_for_trace(page)
    expect(page.locator("[data-testid='variant-button'][data-variant='slow']")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(page.get_by_test_id("fault-chip")).to_have_count(1)


def test_an_unknown_scenario_in_the_address_falls_back_with_a_notice(page: Page) -> None:
    page.goto("/?scenario=no-such-scenario&variant=error")
    wait_for_trace(page)
    expect(page.locator("#toast")).to_contain_text("no-such-scenario")
    assert state(page, "s.scenarioId") == "simple"
    expect(page).to_have_url(re.compile(r"scenario=simple&variant=error"))


# ------------------------------------------------------------------ editing the canvas


def test_drag_a_node(page: Page) -> None:
    open_scenario(page, "simple")
    pause(page)
    target = node(page, "backend")
    before = position(target)
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 60, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 110, steps=8)
    page.mouse.up()
    assert position(target) != before
    x, y = state(page, "(n => [n.x, n.y])(s.flow.nodes.find(n => n.id === 'backend'))")
    original = state(page, "(n => [n.x, n.y])(s.original.nodes.find(n => n.id === 'backend'))")
    assert (x, y) != tuple(original)
    # a move is layout, not structure: the flow is still simulated as the built-in
    assert state(page, "s.trace.flow") == "simple"
    page.get_by_test_id("reset-layout").click()
    expect(target).to_have_attribute("data-x", before[0])
    expect(target).to_have_attribute("data-y", before[1])


def test_connect_two_nodes_by_dragging_the_handle(page: Page) -> None:
    open_scenario(page, "simple")
    pause(page)
    edges = page.locator(EDGE).count()
    source = node(page, "frontend")
    source.hover()
    handle = source.get_by_test_id("node-handle")
    hb = handle.bounding_box()
    tb = node(page, "db").bounding_box()
    assert hb and tb
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(tb["x"] + tb["width"] / 2, tb["y"] + tb["height"] / 2, steps=10)
    page.mouse.up()
    expect(page.locator(EDGE)).to_have_count(edges + 1)
    wait_for_trace(page)
    assert state(page, "s.edited") is True
    # the edited flow is simulated as a posted flow now, and the new call has a span
    expect(page.locator(f"{EDGE}[data-edge-id='frontend-db']")).to_have_attribute("data-status", "ok")
    expect(page.get_by_test_id("revert-button")).to_be_visible()


def test_connect_mode_click_source_then_target_and_undo(page: Page) -> None:
    open_scenario(page, "simple")
    pause(page)
    edges = page.locator(EDGE).count()
    page.get_by_test_id("connect-button").click()
    expect(page.get_by_test_id("connect-button")).to_have_attribute("aria-pressed", "true")
    node(page, "frontend").click(position={"x": 60, "y": 30})
    node(page, "db").click(position={"x": 60, "y": 30})
    expect(page.locator(EDGE)).to_have_count(edges + 1)
    # a loop is refused with an explanation
    node(page, "db").click(position={"x": 60, "y": 30})
    node(page, "frontend").click(position={"x": 60, "y": 30})
    expect(page.locator(".canvas-status")).to_contain_text("loop")
    expect(page.locator(EDGE)).to_have_count(edges + 1)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("connect-button")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Control+z")
    expect(page.locator(EDGE)).to_have_count(edges)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(EDGE)).to_have_count(edges + 1)


def test_delete_a_node_and_an_edge_with_the_keyboard(page: Page) -> None:
    open_scenario(page, "redis-cache", "slow")
    pause(page)
    spans_before = state(page, "s.trace.spans.length")
    node(page, "db").click(position={"x": 60, "y": 30})
    expect(node(page, "db")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Delete")
    expect(node(page, "db")).to_have_count(0)
    expect(page.locator(f"{EDGE}[data-edge-id='be-db']")).to_have_count(0)
    page.wait_for_function(f"() => window.__traceplay.store.get().trace.spans.length < {spans_before}")
    wait_for_trace(page)
    edge = page.locator(f"{EDGE}[data-edge-id='be-redis-set']")
    edge.locator(".edge-hit").dispatch_event("pointerdown", {"pointerId": 1, "button": 0, "isPrimary": True})
    edge.locator(".edge-hit").dispatch_event("pointerup", {"pointerId": 1, "button": 0, "isPrimary": True})
    assert state(page, "s.selection") == {"kind": "edge", "id": "be-redis-set"}
    page.keyboard.press("Backspace")
    expect(edge).to_have_count(0)


def test_edit_with_the_keyboard_only(page: Page) -> None:
    open_scenario(page, "simple")
    pause(page)
    backend = node(page, "backend")
    x, y = position(backend)
    backend.focus()
    page.keyboard.press("Shift+ArrowDown")
    expect(backend).to_have_attribute("data-y", str(int(y) + 40))
    expect(backend).to_have_attribute("data-x", x)
    expect(backend).to_be_focused()
    page.keyboard.press("Delete")
    expect(backend).to_have_count(0)
    expect(page.locator(EDGE)).to_have_count(0)  # both calls touched the backend
    page.keyboard.press("Control+z")
    expect(node(page, "backend")).to_have_count(1)
    expect(page.locator(EDGE)).to_have_count(2)


def test_drop_components_from_the_library_on_an_empty_canvas(page: Page) -> None:
    open_scenario(page, "simple")
    page.get_by_test_id("new-flow").click()
    expect(page.locator(NODE)).to_have_count(0)
    expect(page.locator(".canvas-empty")).to_contain_text("Drag a component")
    canvas = page.locator(".canvas-svg")
    page.get_by_test_id("component-item").and_(page.locator("[data-component-id='frontend']")).drag_to(
        canvas, target_position={"x": 200, "y": 200}
    )
    expect(page.locator(NODE)).to_have_count(1)
    # keyboard: Enter on a library item adds it to the middle of the view
    page.locator("[data-testid='component-item'][data-component-id='backend']").focus()
    page.keyboard.press("Enter")
    expect(page.locator(NODE)).to_have_count(2)
    wait_for_trace(page)
    assert state(page, "s.trace.spans.length") >= 1
    assert state(page, "s.scenarioId") is None


def test_inject_a_fault_from_the_node_menu(page: Page) -> None:
    open_scenario(page, "redis-cache", "slow")
    pause(page)
    db = node(page, "db")
    db.hover()
    db.get_by_test_id("node-menu-button").click()
    menu = page.get_by_test_id("node-menu")
    expect(menu).to_be_visible()
    menu.locator("[data-fault='timeout']").click()
    expect(menu).to_be_hidden()
    expect(db).to_have_attribute("data-fault", "timeout")
    expect(db).to_have_attribute("data-status", "error")
    expect(page).to_have_url(re.compile(r"fault=db%3Atimeout|fault=db:timeout"))
    assert state(page, "s.trace.faults") == {"db": "timeout"}
    # keyboard: focus a node, "m" opens its menu, arrows + Enter pick
    backend = node(page, "backend")
    backend.focus()
    page.keyboard.press("m")
    expect(menu).to_be_visible()
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    page.get_by_test_id("fault-chip").locator("button").click()
    expect(db).not_to_have_attribute("data-fault", "timeout")
    expect(db).not_to_have_attribute("data-status", "error")


# ------------------------------------------------------------------ playback


def test_play_pause_scrub_and_restart(page: Page) -> None:
    open_scenario(page, "redis-cache", "slow")
    pause(page)
    page.get_by_test_id("restart-button").click()
    expect(page.get_by_test_id("pause-button")).to_be_visible()
    page.wait_for_function("() => window.__traceplay.store.get().cursorMs > 0")
    page.wait_for_function("() => document.querySelectorAll('.dots .dot:not([style*=\"none\"])').length > 0")
    page.get_by_test_id("pause-button").click()
    expect(page.get_by_test_id("play-button")).to_be_visible()
    at = state(page, "s.cursorMs")
    page.wait_for_timeout(150)
    assert state(page, "s.cursorMs") == at
    page.get_by_test_id("speed-select").select_option("4")
    assert state(page, "s.speed") == 4
    scrubber = page.get_by_test_id("scrubber")
    scrubber.fill("1000")
    assert state(page, "s.cursorMs") == pytest.approx(state(page, "s.traceEndMs"))
    expect(page.get_by_test_id("time-readout")).to_contain_text("85 ms / 85 ms")
    scrubber.fill("0")
    assert state(page, "s.cursorMs") == 0
    scrubber.fill("500")
    middle = state(page, "s.cursorMs")
    assert 0 < middle < state(page, "s.traceEndMs")
    # the waterfall draws its cursor at the same trace time
    page.get_by_test_id("play-button").click()
    page.wait_for_function("() => !window.__traceplay.store.get().playing", timeout=10_000)
    assert state(page, "s.cursorMs") == pytest.approx(state(page, "s.traceEndMs"))
    page.keyboard.press("r")
    expect(page.get_by_test_id("pause-button")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play-button")).to_be_visible()


def test_hover_links_canvas_and_waterfall(page: Page) -> None:
    open_scenario(page, "redis-cache")
    pause(page)
    span_id = state(page, "s.trace.spans.find(x => x.node_id === 'redis').span_id")
    node(page, "redis").hover()
    expect(page.locator(f"[data-testid='waterfall-row'][data-span-id='{span_id}']")).to_have_class(
        re.compile(r"\bis-hover\b")
    )
    backend_span = state(page, "s.trace.spans.find(x => x.node_id === 'backend').span_id")
    page.locator(f"[data-testid='waterfall-row'][data-span-id='{backend_span}']").hover()
    expect(node(page, "backend")).to_have_class(re.compile(r"\bhl\b"))


# ------------------------------------------------------------------ theme, keyboard, layout


def test_theme_toggle_persists_across_reload(page: Page) -> None:
    open_scenario(page, "simple")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")
    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.reload()
    expect(html).to_have_attribute("data-theme", "light")
    page.keyboard.press("t")
    expect(html).to_have_attribute("data-theme", "dark")


def test_keyboard_shortcuts_and_the_help_dialog(page: Page) -> None:
    open_scenario(page, "redis-cache")
    page.locator("body").press("3")
    expect(page.locator("[data-testid='variant-button'][data-variant='error']")).to_have_attribute(
        "aria-checked", "true"
    )
    page.keyboard.press("2")
    expect(page).to_have_url(re.compile("variant=slow"))
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Play / pause")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # typing in a field does not trigger shortcuts
    page.get_by_test_id("scenario-search").fill("23")
    expect(page).to_have_url(re.compile("variant=slow"))


def test_every_control_has_an_accessible_name(page: Page) -> None:
    open_scenario(page, "redis-cache")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, select, input, [role=button], [role=tab]')]
          .filter(el => el.offsetParent !== null || el.closest('svg'))
          .filter(el => !el.closest('[aria-hidden=true]'))
          .filter(el => !(el.getAttribute('aria-label') || el.textContent.trim() || el.title
                          || (el.labels && el.labels.length)))
          .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert unnamed == []


def test_phone_layout_drawer_and_touch_targets(phone_page: Page, screenshot: Callable[..., Path]) -> None:
    page = phone_page
    open_scenario(page, "redis-cache", "error")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scroll: {width}"
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    # the canvas fits the whole flow into its view
    canvas_box = page.locator(".canvas-svg").bounding_box()
    assert canvas_box is not None
    for i in range(page.locator(NODE).count()):
        b = page.locator(NODE).nth(i).bounding_box()
        assert b is not None
        assert canvas_box["x"] <= b["x"] and b["x"] + b["width"] <= canvas_box["x"] + canvas_box["width"] + 1
    small = page.evaluate(
        """() => [...document.querySelectorAll(`.topbar button, .topbar select, .panel-tab,
                  .canvas-toolbar button, .canvas-zoombar button`)]
          .filter(el => el.offsetParent !== null)
          .map(el => [el.dataset.testid || el.className, el.getBoundingClientRect()])
          .filter(([, r]) => r.width < 44 || r.height < 44)
          .map(([n, r]) => `${n} ${r.width}x${r.height}`)"""
    )
    assert small == []
    screenshot(page, "phone-redis-cache-error")
    page.get_by_test_id("drawer-button").click()
    expect(sidebar).to_be_in_viewport()
    screenshot(page, "phone-drawer")
    page.locator("[data-testid='scenario-item'][data-scenario-id='kafka-fanout']").click()
    expect(sidebar).not_to_be_in_viewport()
    wait_for_trace(page)
    expect(page.get_by_test_id("scenario-name")).to_have_text("Kafka Fan-out")
    page.get_by_test_id("tab-spans").tap()
    expect(page.get_by_test_id("span-row").first).to_be_visible()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scroll: {width}"


@pytest.mark.parametrize("width", [360, 768, 1024, 1920])
def test_no_horizontal_scroll_at_any_width(new_page: Callable[..., Page], width: int) -> None:
    page = new_page(width, 800)
    open_scenario(page, "api-gateway-microservices", "slow")
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1]


def test_desktop_screenshots(page: Page, screenshot: Callable[..., Path]) -> None:
    open_scenario(page, "redis-cache", "slow")
    page.get_by_test_id("scrubber").fill("400")
    screenshot(page, "desktop-redis-cache-slow")
    open_scenario(page, "kafka-fanout", "error")
    page.evaluate("() => window.__traceplay.actions.seek(window.__traceplay.store.get().traceEndMs)")
    screenshot(page, "desktop-kafka-fanout-error")
    page.get_by_test_id("tab-analysis").click()
    page.get_by_test_id("theme-toggle").click()
    screenshot(page, "desktop-light-analysis")
    page.get_by_test_id("new-flow").click()
    screenshot(page, "desktop-empty-canvas")


# ------------------------------------------------------------------ the colour rule


HEX = re.compile(r"(?<![\w&/-])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b")
FUNCS = re.compile(r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(", re.IGNORECASE)


def test_no_colour_literal_outside_tokens_css() -> None:
    files = [p for p in [*STATIC.rglob("*.css"), *STATIC.rglob("*.js")] if p.name != "tokens.css"]
    assert len(files) > 10
    offenders = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HEX.search(line) or FUNCS.search(line):
                offenders.append(f"{path.relative_to(STATIC)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_colour_check_catches_literals() -> None:
    for bad in ("color: #fff;", "fill: #12ab34", "background: rgb(1, 2, 3)", "x = 'hsl(10 20% 30%)'"):
        assert HEX.search(bad) or FUNCS.search(bad), bad
    for fine in ("fill: url(#tp-grid);", "color: var(--accent);", "href='#canvas'", "&#8203;"):
        assert not (HEX.search(fine) or FUNCS.search(fine)), fine


def test_tokens_define_every_contract_token() -> None:
    tokens = (STATIC / "css" / "tokens.css").read_text(encoding="utf-8")
    names = [
        *("bg", "bg-elev", "panel", "panel-2", "border", "text", "text-dim", "accent", "accent-contrast"),
        *("ok", "slow", "error", "async", "info", "warning", "critical", "focus", "shadow"),
        *("cat-clients", "cat-edge", "cat-services", "cat-data", "cat-ai", "cat-messaging", "cat-external"),
        *("cat-observability", "cat-infra", "cat-aws", "cat-security", "cat-containers"),
    ]
    dark, light = tokens.split(':root[data-theme="light"]')
    for name in names:
        assert re.search(rf"--{name}:", dark), f"--{name} missing in the dark theme"
        assert re.search(rf"--{name}:", light), f"--{name} missing in the light theme"
    for name in ("space-1", "space-6", "radius", "radius-sm", "font-ui", "font-mono", "font-size-sm"):
        assert f"--{name}:" in tokens
