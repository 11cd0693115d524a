"""Custom flows in Chromium: create, auto-save, reload, undo/redo, export/import, share links, and
the failure paths (bad files, storage full, a corrupted entry, two tabs on the same flow)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pagestate import state
from traceplay.domain.flow import Flow

ROOT = Path(__file__).resolve().parents[2]
NODE = "[data-testid='canvas-node']"
EDGE = "[data-testid='canvas-edge']"
PREFIX = "traceplay.flows.v1/"


# ------------------------------------------------------------------ helpers


def wait_ready(page: Page) -> None:
    page.wait_for_function(
        "() => { const s = window.__traceplay && window.__traceplay.store.get();"
        " return s && s.templates && s.flow && !s.loading; }"
    )


def wait_saved(page: Page) -> None:
    page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'saved'")


def stored(page: Page) -> dict[str, Any]:
    """Every custom-flow entry in localStorage, parsed."""
    raw: dict[str, str] = page.evaluate(
        f"() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('{PREFIX}'))"
        ".map(k => [k, localStorage.getItem(k)]))"
    )
    return {k[len(PREFIX) :]: json.loads(v) for k, v in raw.items()}


def storage_snapshot(page: Page) -> dict[str, str]:
    snap: dict[str, str] = page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage).map(k => [k, localStorage.getItem(k)]))"
    )
    return snap


def create_flow(page: Page, name: str, *, copy_of: str | None = None, description: str = "") -> str:
    page.get_by_test_id("add-flow").click()
    dialog = page.get_by_test_id("new-flow-dialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("new-flow-name").fill(name)
    if description:
        page.get_by_test_id("new-flow-description").fill(description)
    if copy_of:
        page.get_by_test_id("start-copy").check()
        page.get_by_test_id("new-flow-template").select_option(copy_of)
    page.get_by_test_id("new-flow-create").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function(f"() => window.__traceplay.store.get().flow.name === {json.dumps(name)}")
    custom_id: str = state(page, "s.customId")
    assert custom_id
    return custom_id


def add_component(page: Page, component: str) -> None:
    page.locator(f"[data-testid='component-item'][data-component-id='{component}']").click()


def settled(page: Page) -> None:
    """No request in flight: the canvas is not about to be redrawn under the mouse."""
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get(); return !s.loading && s.trace; }"
    )


def box_of(page: Page, selector: str) -> dict[str, float]:
    for _ in range(20):
        box = page.locator(selector).bounding_box()
        if box:
            return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}
        page.wait_for_timeout(50)
    raise AssertionError(f"{selector} is not on the page")


def drag_node(page: Page, node_id: str, dx: float, dy: float) -> None:
    settled(page)
    box = box_of(page, f"{NODE}[data-node-id='{node_id}'] .node-box")
    x, y = box["x"] + 40, box["y"] + 20
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def node_ids(page: Page) -> list[str]:
    ids: list[str] = state(page, "s.flow.nodes.map(n => n.id)")
    return ids


# ------------------------------------------------------------------ create, save, reload


def test_create_blank_edit_and_reload_keeps_it(page: Page, screenshot: Callable[..., Path]) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "My checkout", description="Orders through the API")
    assert fid == "my-checkout"
    expect(page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fid}']")).to_be_visible()
    add_component(page, "frontend")
    add_component(page, "backend")
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 2")
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    wait_saved(page)
    assert stored(page)[fid]["flow"]["nodes"][1]["component"] == "backend"
    assert stored(page)[fid]["schema"] == 1
    assert f"flow={fid}" in page.url
    screenshot(page, "custom-flows-desktop")

    page.reload()
    wait_ready(page)
    assert state(page, "s.customId") == fid
    assert node_ids(page) == ["frontend", "backend"]
    assert state(page, "s.flow.description") == "Orders through the API"
    expect(page.get_by_test_id("scenario-name")).to_have_text("My checkout")


def test_create_from_a_built_in_copy_and_faults_are_kept(page: Page) -> None:
    page.goto("/?scenario=simple")
    wait_ready(page)
    builtin = state(page, "s.flow")
    fid = create_flow(page, "Simple, mine", copy_of="redis-cache")
    wait_ready(page)
    flow = state(page, "s.flow")
    assert fid == "simple-mine" and flow["name"] == "Simple, mine"
    assert len(flow["nodes"]) > 0 and flow["id"] == fid
    assert builtin["id"] == "simple"
    first = flow["nodes"][-1]["id"]
    page.evaluate(f"() => window.__traceplay.actions.setFault({json.dumps(first)}, 'slow')")
    page.wait_for_function(
        f"() => (window.__traceplay.flows.storage.read({json.dumps(fid)}) || {{}})"
        f".faults?.[{json.dumps(first)}] === 'slow'"
    )
    page.reload()
    wait_ready(page)
    assert state(page, "s.faults") == {first: "slow"}
    assert f"fault={first}%3Aslow" in page.url or f"fault={first}:slow" in page.url


def test_editing_a_built_in_offers_duplicate_and_loses_nothing(page: Page) -> None:
    page.goto("/?scenario=simple")
    wait_ready(page)
    before = len(state(page, "s.flow.nodes"))
    add_component(page, "redis")
    banner = page.get_by_test_id("readonly-banner")
    expect(banner).to_be_visible()
    assert stored(page) == {}
    page.get_by_test_id("duplicate-to-edit").click()
    page.wait_for_function("() => !!window.__traceplay.store.get().customId")
    expect(banner).to_be_hidden()
    fid = state(page, "s.customId")
    assert len(state(page, "s.flow.nodes")) == before + 1
    wait_saved(page)
    assert len(stored(page)[fid]["flow"]["nodes"]) == before + 1
    # the edit that was made on the built-in is still undoable in the copy
    assert state(page, "s.canUndo") is True
    # the built-in itself is unchanged
    page.locator("[data-testid='scenario-item'][data-scenario-id='simple']").click()
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        f" return s.scenarioId === 'simple' && s.flow.nodes.length === {before}; }}"
    )


def test_a_scratch_canvas_offers_to_save_it_to_my_flows(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    page.get_by_test_id("new-flow").click()
    banner = page.get_by_test_id("readonly-banner")
    expect(banner).to_be_hidden()  # nothing to lose yet
    add_component(page, "frontend")
    expect(banner).to_contain_text("not saved yet")
    page.get_by_test_id("duplicate-to-edit").click()
    page.wait_for_function("() => window.__traceplay.store.get().customId === 'untitled-flow'")
    expect(banner).to_be_hidden()
    wait_saved(page)
    assert [n["id"] for n in stored(page)["untitled-flow"]["flow"]["nodes"]] == ["frontend"]
    assert "flow=untitled-flow" in page.url


# ------------------------------------------------------------------ undo / redo


def test_undo_redo_across_add_move_connect_and_delete(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    create_flow(page, "Undo me")
    add_component(page, "frontend")
    add_component(page, "backend")
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 2")
    page.evaluate("() => window.__traceplay.actions.fit()")
    page.wait_for_timeout(100)
    start = state(page, "s.flow.nodes.find(n => n.id === 'backend')")
    drag_node(page, "backend", 60, 80)
    dragged = state(page, "s.flow.nodes.find(n => n.id === 'backend')")
    assert (dragged["x"], dragged["y"]) != (start["x"], start["y"])
    # a burst of nudges of the same node is one step
    settled(page)
    page.locator(f"{NODE}[data-node-id='backend']").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.__traceplay.store.get().flow.nodes[1].x === {dragged['x'] + 30}")
    moved = state(page, "s.flow.nodes.find(n => n.id === 'backend')")
    moves = [
        label
        for label in page.evaluate("() => window.__traceplay.actions.historyLabels().undo")
        if label.startswith("Move")
    ]
    assert len(moves) in (1, 2)  # the drag, and the three nudges merged (with the drag when it was quick)
    # connect frontend -> backend by dragging the handle
    settled(page)
    handle = box_of(page, f"{NODE}[data-node-id='frontend'] .handle-dot")
    target = box_of(page, f"{NODE}[data-node-id='backend'] .node-box")
    page.mouse.move(handle["x"] + 6, handle["y"] + 6)
    page.mouse.down()
    page.mouse.move(target["x"] + 50, target["y"] + 30, steps=6)
    page.mouse.up()
    page.wait_for_function("() => window.__traceplay.store.get().flow.edges.length === 1")
    # delete the frontend node (its edge goes with it)
    settled(page)
    page.locator(f"{NODE}[data-node-id='frontend']").focus()
    page.keyboard.press("Delete")
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 1")
    assert state(page, "s.flow.edges.length") == 0
    page.locator("#canvas").focus()

    # Ctrl+Z: delete undone -> node and its edge back
    page.keyboard.press("Control+z")
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 2")
    assert state(page, "s.flow.edges.length") == 1
    assert node_ids(page) == ["frontend", "backend"]
    page.keyboard.press("Control+z")  # connect undone
    page.wait_for_function("() => window.__traceplay.store.get().flow.edges.length === 0")
    for _ in moves:  # the moves, one undo per merged step
        page.keyboard.press("Control+z")
    back = state(page, "s.flow.nodes.find(n => n.id === 'backend')")
    assert (back["x"], back["y"]) == (start["x"], start["y"]), page.evaluate(
        "() => window.__traceplay.actions.historyLabels()"
    )
    page.get_by_test_id("undo-button").click()  # add backend undone
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 1")
    # redo everything with the keyboard and the button
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 2")
    for _ in moves:
        page.keyboard.press("Control+Shift+z")
    again = state(page, "s.flow.nodes.find(n => n.id === 'backend')")
    assert (again["x"], again["y"]) == (moved["x"], moved["y"])
    page.get_by_test_id("redo-button").click()
    page.wait_for_function("() => window.__traceplay.store.get().flow.edges.length === 1")
    page.get_by_test_id("redo-button").click()
    page.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 1")
    expect(page.get_by_test_id("redo-button")).to_be_disabled()
    wait_saved(page)
    fid = state(page, "s.customId")
    assert [n["id"] for n in stored(page)[fid]["flow"]["nodes"]] == ["backend"]


def test_rename_and_delete_with_undo(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Old name")
    row = page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fid}']")
    page.get_by_test_id("rename-flow").click()
    page.get_by_test_id("rename-input").fill("New name")
    page.get_by_test_id("rename-input").press("Enter")
    expect(row).to_contain_text("New name")
    expect(page.get_by_test_id("scenario-name")).to_have_text("New name")
    wait_saved(page)
    page.wait_for_function(f"() => window.__traceplay.flows.storage.read('{fid}').flow.name === 'New name'")
    page.get_by_test_id("delete-flow").click()
    expect(row).to_have_count(0)
    assert fid not in stored(page)
    expect(page.get_by_test_id("flows-alert-message")).to_contain_text("Deleted “New name”")
    page.get_by_test_id("undo-delete").click()
    expect(row).to_be_visible()
    assert stored(page)[fid]["flow"]["name"] == "New name"
    assert state(page, "s.customId") == fid


# ------------------------------------------------------------------ export / import


def export_download(page: Page, fid: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.locator(
            f"[data-testid='custom-flow-item'][data-flow-id='{fid}']"
            " ~ .custom-flow-tools [data-testid='export-flow']"
        ).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_export_import_round_trip_is_identical_and_runs_in_the_cli(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Round trip", copy_of="redis-cache")
    wait_saved(page)
    path = export_download(page, fid, tmp_path)
    assert path.name == f"{fid}.json"
    exported = json.loads(path.read_text())
    Flow.model_validate(exported)  # the model /api/schema/flow is generated from
    schema = page.evaluate("() => fetch('/api/schema/flow').then(r => r.json())")
    assert set(exported) <= set(schema["properties"]) and set(schema["required"]) <= set(exported)
    # the browser's export runs unchanged from the command line
    run = subprocess.run(
        [sys.executable, "-m", "traceplay", "simulate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["spans"]

    before = stored(page)[fid]["flow"]
    # import the same file: the id exists -> replace
    page.get_by_test_id("import-input").set_input_files(str(path))
    page.get_by_test_id("conflict-replace").click()
    page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'saved'")
    assert stored(page)[fid]["flow"] == exported == before
    # again, keeping both: a second flow with a new id and the same content
    page.get_by_test_id("import-input").set_input_files(str(path))
    page.get_by_test_id("conflict-keep-both").click()
    page.wait_for_function("() => window.__traceplay.store.get().customFlows.length === 2")
    second = next(v for k, v in stored(page).items() if k != fid)["flow"]
    assert second["id"] != fid
    assert {**second, "id": fid} == exported


BAD_FILES = {
    "not-json.json": ('{"id": "x", "name": "X",\n  "nodes": [,]}', 2, None),
    "schema.json": ('{\n  "id": "x",\n  "nodes": []\n}\n', 1, None),
    "unknown.yaml": (
        "id: x\nname: X\nnodes:\n  - {id: web, component: frontend}\n  - {id: ufo, component: warp-drive}\n",
        5,
        "ufo",
    ),
    "cycle.yaml": (
        "id: x\nname: X\nnodes:\n  - {id: a, component: backend}\n  - {id: b, component: backend}\n"
        "edges:\n  - {id: e1, source: a, target: b}\n  - {id: e2, source: b, target: a}\n",
        7,
        "a",
    ),
}
EXPECTED = {
    "not-json.json": "not valid JSON",
    "schema.json": "Field required",
    "unknown.yaml": "unknown component 'warp-drive'",
    "cycle.yaml": "cycle without a repeat edge",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_shows_its_error_with_its_place_and_changes_nothing(
    page: Page, tmp_path: Path, guard: Any, name: str
) -> None:
    guard.allow(r"status of 422")
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "x")  # a flow with the same id as the bad files
    assert fid == "x"
    add_component(page, "frontend")
    wait_saved(page)
    before = storage_snapshot(page)
    text, line, node_id = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    page.get_by_test_id("import-input").set_input_files(str(path))
    report = page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    problem = report.get_by_test_id("import-problem").first
    expect(problem).to_contain_text(EXPECTED[name])
    expect(problem).to_contain_text(name)
    expect(problem).to_contain_text(f"line {line}")
    assert problem.get_attribute("data-line") == str(line)
    if node_id:
        expect(problem).to_contain_text(f"node {node_id}")
    if name == "unknown.yaml":
        expect(problem).to_contain_text("nodes[1].component")
    page.get_by_test_id("import-report-close").click()
    assert storage_snapshot(page) == before
    assert state(page, "s.customFlows.length") == 1
    assert node_ids(page) == ["frontend"]


def test_import_many_files_by_drag_and_drop(page: Page, server_url: str) -> None:
    page.goto("/")
    wait_ready(page)
    simple = page.evaluate("() => fetch('/api/templates/simple').then(r => r.json())")
    yaml_text = "id: dropped-yaml\nname: Dropped YAML\nnodes:\n  - {id: web, component: frontend}\n"
    page.evaluate(
        """([simple, yamlText]) => {
            const dt = new DataTransfer();
            const doc = {...simple, id: 'dropped-json', name: 'Dropped JSON'};
            dt.items.add(new File([JSON.stringify(doc)], 'a.json'));
            dt.items.add(new File([yamlText], 'b.yaml'));
            const drop = new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true});
            document.getElementById('canvas').dispatchEvent(drop);
        }""",
        [simple, yaml_text],
    )
    page.wait_for_function("() => window.__traceplay.store.get().customFlows.length === 2")
    assert set(stored(page)) == {"dropped-json", "dropped-yaml"}
    assert state(page, "s.customId") == "dropped-yaml"


# ------------------------------------------------------------------ share links


def test_a_share_link_opens_the_same_flow_as_a_new_custom_flow(
    page: Page, new_page: Callable[..., Page]
) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Shared", copy_of="kafka-fanout")
    wait_saved(page)
    original = stored(page)[fid]["flow"]
    page.get_by_test_id("share-flow").click()
    link = page.get_by_test_id("share-link").input_value()
    assert "#share=" in link and "?" not in link.split("#")[0][len("http://") :]
    # the same browser: a flow with that id exists -> the link adds a copy, never overwrites
    page.goto(link)
    wait_ready(page)
    page.wait_for_function("() => window.__traceplay.store.get().customFlows.length === 2")
    copy_id = state(page, "s.customId")
    assert copy_id != fid
    flows = stored(page)
    assert flows[fid]["flow"] == original
    assert {**flows[copy_id]["flow"], "id": fid} == original
    assert "#share" not in page.url
    # another browser (a fresh context): the flow arrives with its own id
    other = new_page()
    other.goto(link)
    wait_ready(other)
    assert state(other, "s.customId") == fid
    assert stored(other)[fid]["flow"] == original
    expect(other.get_by_test_id("flows-alert-message")).to_contain_text("Opened the shared flow “Shared”")


# ------------------------------------------------------------------ failure paths


def test_storage_full_keeps_the_flow_in_memory_and_offers_export(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Big one")
    wait_saved(page)
    filled = page.evaluate(
        """() => { let i = 0;
            for (let size = 1 << 20; size >= 1; size = Math.floor(size / 2)) {
                const chunk = 'x'.repeat(size);
                try { for (;;) localStorage.setItem('filler-' + i++, chunk); } catch (e) {}
            }
            return i; }"""
    )
    assert filled > 0
    for comp in ("frontend", "backend", "postgresql"):
        add_component(page, comp)
    page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'error'")
    alert = page.get_by_test_id("flows-alert")
    expect(alert).to_contain_text("Browser storage is full")
    expect(alert).to_contain_text("Big one")
    expect(page.get_by_test_id("save-status")).to_have_text("Not saved")
    expect(page.get_by_test_id("unsaved-tag")).to_be_visible()
    assert node_ids(page) == ["frontend", "backend", "postgresql"]  # kept in memory
    with page.expect_download() as info:
        page.get_by_test_id("alert-export").click()
    path = tmp_path / "out.json"
    info.value.save_as(path)
    assert [n["id"] for n in json.loads(path.read_text())["nodes"]] == ["frontend", "backend", "postgresql"]
    # room again: the next edit saves
    page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('filler-'))"
        ".forEach(k => localStorage.removeItem(k))"
    )
    add_component(page, "redis")
    wait_saved(page)
    assert len(stored(page)[fid]["flow"]["nodes"]) == 4
    expect(alert).to_be_hidden()


def test_a_corrupted_entry_is_quarantined_and_reported(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Good one")
    wait_saved(page)
    page.evaluate(
        f"""() => {{ localStorage.setItem('{PREFIX}broken', '{{"schema": 1, "flow": {{"id": "broken", "na');
            localStorage.setItem('traceplay.flows', JSON.stringify([{{id: 'legacy', name: 'Legacy',
                nodes: [{{id: 'web', component: 'frontend'}}], edges: []}}])); }}"""
    )
    page.reload()
    wait_ready(page)
    alert = page.get_by_test_id("flows-alert")
    expect(alert).to_contain_text("1 saved flow could not be read")
    expect(alert).to_contain_text(f"{PREFIX}broken")
    quarantine = json.loads(page.evaluate("() => localStorage.getItem('traceplay.flows.quarantine')"))
    assert quarantine[0]["key"] == f"{PREFIX}broken" and quarantine[0]["raw"].startswith('{"schema": 1')
    assert "not valid JSON" in quarantine[0]["reason"]
    flows = stored(page)
    assert set(flows) == {fid, "legacy"}  # the version-0 list was migrated, the good one untouched
    assert flows["legacy"]["schema"] == 1 and flows["legacy"]["flow"]["name"] == "Legacy"
    assert page.evaluate("() => localStorage.getItem('traceplay.flows')") is None
    expect(page.locator("[data-testid='custom-flow-item'][data-flow-id='legacy']")).to_be_visible()


def test_two_tabs_the_later_save_wins_and_the_other_is_told(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    fid = create_flow(page, "Two tabs")
    wait_saved(page)
    context: BrowserContext = page.context
    second = context.new_page()
    second.goto(f"/?flow={fid}")
    wait_ready(second)
    assert state(second, "s.customId") == fid
    add_component(page, "frontend")  # tab 1 saves first
    wait_saved(page)
    second.wait_for_function("() => window.__traceplay.store.get().flow.nodes.length === 1")
    add_component(second, "backend")  # tab 2 saves later: it wins
    wait_saved(second)
    page.wait_for_function(
        "() => window.__traceplay.store.get().flow.nodes.map(n => n.id).join() === 'frontend,backend'"
    )
    expect(page.get_by_test_id("flows-alert")).to_contain_text("was saved in another tab")
    assert [n["id"] for n in stored(page)[fid]["flow"]["nodes"]] == ["frontend", "backend"]
    second.close()


# ------------------------------------------------------------------ screenshots


def test_screenshots_of_the_flow_library(
    page: Page, phone_page: Page, screenshot: Callable[..., Path], guard: Any, tmp_path: Path
) -> None:
    guard.allow(r"status of 422")
    page.goto("/")
    wait_ready(page)
    create_flow(page, "Checkout (mine)", copy_of="redis-cache")
    create_flow(page, "Empty sketch")
    page.get_by_test_id("add-flow").click()
    page.get_by_test_id("new-flow-name").fill("Payments")
    page.get_by_test_id("start-copy").check()
    screenshot(page, "custom-flows-new-dialog")
    page.get_by_test_id("new-flow-cancel").click()
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD_FILES["unknown.yaml"][0])
    page.get_by_test_id("import-input").set_input_files(str(bad))
    expect(page.get_by_test_id("import-report")).to_be_visible()
    screenshot(page, "custom-flows-import-errors")
    page.get_by_test_id("import-report-close").click()
    page.locator("[data-testid='custom-flow-item'][data-flow-id='checkout-mine']").click()
    wait_ready(page)
    page.get_by_test_id("share-flow").first.click()
    expect(page.get_by_test_id("share-link")).to_be_visible()
    screenshot(page, "custom-flows-library-desktop")
    page.goto("/?scenario=simple")
    wait_ready(page)
    add_component(page, "redis")
    expect(page.get_by_test_id("readonly-banner")).to_be_visible()
    screenshot(page, "custom-flows-duplicate-banner")

    phone_page.goto("/")
    wait_ready(phone_page)
    phone_page.evaluate(
        "() => window.__traceplay.flows.create({name: 'Phone flow', description: '', from: 'simple'})"
    )
    phone_page.wait_for_function("() => window.__traceplay.store.get().customId === 'phone-flow'")
    wait_ready(phone_page)
    screenshot(phone_page, "custom-flows-phone")
    phone_page.get_by_test_id("drawer-button").click()
    expect(phone_page.get_by_test_id("my-flows")).to_be_visible()
    phone_page.wait_for_timeout(300)
    screenshot(phone_page, "custom-flows-phone-drawer")
