"""Property test of the custom-flow library's promise: no custom flow is ever lost.

A seeded random walk (``random.Random(seed)``) of what a user does with "My flows" in Chromium —
create (blank or a copy of a built-in) through the "+" dialog, add nodes (palette click or drag onto
the canvas), move nodes (mouse drag or arrow keys), rename (current or another flow, through the
row's rename field), open another flow, reload (after the auto-save ran, or at once: the pagehide
flush), import valid and invalid files, fill the browser's storage for a while, and edit the same flow
in a second tab — checked after every step against a Python model (the oracle):

- every flow the model knows is in the list (``custom-flow-item``) with its name, node count and
  "not saved" tag, and the list has nothing else; the tab holds each flow (open or not) with the
  model's nodes and positions;
- localStorage (``traceplay.flows.v1/<id>``) holds exactly the flows that were ever saved, each with
  the content of its last successful save; nothing is quarantined or left in the old layout;
- while storage is full an edit stays in memory, shown as "not saved" (row tag, status, alert), and
  is saved by the next edit once there is room, or when the page is left (pagehide saves again what
  could not be saved); a reload while storage is still full brings back the last successful save
  (what never could be saved is gone — that is the one loss the model allows);
- an invalid import changes nothing; a second tab's later save wins, and the first tab is told when
  it had that flow open or held changes of it that it could not save (they are replaced).

Everything the walk does follows from the seed, so a failure — which prints the seed and every step
taken — replays by running that seed again (``-k <seed>``, or add it to SEEDS).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

PREFIX = "traceplay.flows.v1/"
QUARANTINE_KEY = "traceplay.flows.quarantine"
LEGACY_KEY = "traceplay.flows"
FULL_FLAG = "storage-property-test.full"  # not a traceplay key: the patched setItem lets it through
NODE = "[data-testid='canvas-node']"
SEEDS = (4, 7, 18)  # chosen for what they reach: storage full with every step kind, reloads while full,
# the pagehide flush, a second tab replacing changes this tab could not save, every import answer
STEPS = 30
COMPONENTS = ("frontend", "backend", "redis", "postgresql", "kafka", "worker", "s3", "auth")
TEMPLATES = ("simple", "redis-cache", "kafka-fanout", "search-sync")
WORDS = ("Checkout", "Login flow", "Café ✓", "Orders “v2”", "_inbox", "Émile's sketch", "a/b: test")

# Storage full, the way Chromium says it: QuotaExceededError from setItem, for the app's keys, while
# the flag is set. The flag lives in localStorage, so "full" holds for every tab and across reloads.
FULL_STORAGE_SCRIPT = f"""(() => {{
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {{
    if (this === window.localStorage && String(key).startsWith("traceplay.")
        && this.getItem({json.dumps(FULL_FLAG)}) === "1") {{
      throw new DOMException(
        "Failed to execute 'setItem' on 'Storage': Setting the value of '" + key + "' exceeded the quota.",
        "QuotaExceededError");
    }}
    return setItem.call(this, key, value);
  }};
}})();"""

SNAP_JS = """const snap = (f) => f ? {
  name: f.name,
  nodes: f.nodes.map((n) => [n.id, n.component, n.x ?? null, n.y ?? null]),
  edges: f.edges.map((e) => e.id),
} : null;"""

OBSERVE_JS = f"""() => {{
  {SNAP_JS}
  const s = window.__traceplay.store.get();
  const rows = [...document.querySelectorAll("[data-testid='custom-flow-item']")].map((el) => ({{
    id: el.dataset.flowId,
    name: el.querySelector(".scenario-label").textContent,
    meta: el.querySelector(".custom-flow-meta").textContent,
    unsaved: Boolean(el.querySelector("[data-testid='unsaved-tag']")),
  }}));
  const stored = {{}};
  for (let i = 0; i < localStorage.length; i++) {{
    const k = localStorage.key(i);
    if (k.startsWith({json.dumps(LEGACY_KEY)})) stored[k] = localStorage.getItem(k);
  }}
  const memory = window.__traceplay.flows.entries().map((e) => [e.id, snap(e.flow)]);
  return {{
    memory, rows, stored, customId: s.customId, saveStatus: s.saveStatus,
    flow: s.customId ? snap(s.flow) : null,
    alert: s.flowsAlert ? {{ kind: s.flowsAlert.kind, message: s.flowsAlert.message }} : null,
  }};
}}"""

NODE_JS = "window.__traceplay.store.get().flow.nodes.find((n) => n.id === id)"
FLOW_JS = f"() => {{ {SNAP_JS} return snap(window.__traceplay.store.get().flow); }}"

READY_JS = (
    "() => { const s = window.__traceplay && window.__traceplay.store.get();"
    " return s && s.templates && s.flow && !s.loading; }"
)
SETTLED_JS = (
    "() => { const s = window.__traceplay.store.get(); return s.saveStatus !== 'saving' && !s.loading; }"
)
ALERT_JS = (
    "() => { const el = document.querySelector(\"[data-testid='flows-alert']\");"
    " return el && !el.hidden ? el.textContent : ''; }"
)
NO_REPORT_JS = "() => !document.querySelector(\"[data-testid='import-report']\")"
SAVED_JS = "() => window.__traceplay.store.get().saveStatus !== 'saving'"


# ------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Snap:
    """What the oracle compares: a flow's name, its nodes (id, component, x, y) and its edge ids."""

    name: str
    nodes: tuple[tuple[str, str, int | None, int | None], ...]
    edges: tuple[str, ...]

    @staticmethod
    def of(raw: dict[str, Any]) -> Snap:
        def num(v: Any) -> int | None:
            if v is None:
                return None
            assert float(v).is_integer(), f"a node position that is not a whole number: {v}"
            return int(v)

        return Snap(
            name=raw["name"],
            nodes=tuple((n[0], n[1], num(n[2]), num(n[3])) for n in raw["nodes"]),
            edges=tuple(raw["edges"]),
        )

    def ids(self) -> set[str]:
        return {n[0] for n in self.nodes} | set(self.edges)

    def node(self, node_id: str) -> tuple[str, str, int | None, int | None]:
        return next(n for n in self.nodes if n[0] == node_id)


@dataclass
class Entry:
    mem: Snap  # what this tab holds
    saved: Snap | None  # the last successful save (None: never saved)
    dirty: bool = False  # the latest change could not be saved: the row says "not saved"


@dataclass
class Model:
    flows: dict[str, Entry]
    current: str | None = None
    full: bool = False

    def changed(self, fid: str, mem: Snap) -> None:
        """A change of one flow that the app saves at once (or fails to, when storage is full)."""
        e = self.flows[fid]
        e.mem = mem
        if self.full:
            e.dirty = True
        else:
            e.saved, e.dirty = mem, False

    def added(self, fid: str, mem: Snap) -> None:
        old = self.flows.get(fid)
        keep = old.saved if old else None
        self.flows[fid] = Entry(mem, keep if self.full else mem, dirty=self.full)

    def reloaded(self) -> None:
        """A new page: what is in storage, nothing else. Leaving the old page, the app saved again
        what it could not save before, when storage has room again."""
        if not self.full:
            for e in self.flows.values():
                if e.dirty or e.saved is None:
                    e.saved, e.dirty = e.mem, False
        self.flows = {fid: Entry(e.saved, e.saved) for fid, e in self.flows.items() if e.saved is not None}
        if self.current not in self.flows:
            self.current = None


def unique_id(base: str, taken: set[str]) -> str:
    """logic/flowedit.js uniqueId."""
    clean = re.sub(r"[^A-Za-z0-9_.:-]+", "-", base or "node")
    clean = (re.sub(r"^[^A-Za-z0-9]+", "", clean) or "node")[:90]
    if clean not in taken:
        return clean
    i = 2
    while f"{clean}-{i}" in taken:
        i += 1
    return f"{clean}-{i}"


def fresh_id(base: str, taken: set[str]) -> str:
    """flows/library.js freshId: a slug of the name, unique among flows and built-ins."""
    slug = re.sub(r"[^a-z0-9_.:-]+", "-", (base or "flow").lower()).strip("-") or "flow"
    return unique_id(slug, taken)


def nodes_text(n: int) -> str:
    return f"{n} node{'' if n == 1 else 's'}"


# ------------------------------------------------------------------ bad files (import must change nothing)


def bad_unknown_component(fid: str) -> tuple[str, str, str]:
    doc = {
        "id": fid,
        "name": "Bad",
        "nodes": [{"id": "web", "component": "frontend"}, {"id": "ufo", "component": "warp-drive"}],
    }
    return "unknown.json", json.dumps(doc, indent=2), "unknown component 'warp-drive'"


def bad_json(fid: str) -> tuple[str, str, str]:
    return "broken.json", f'{{"id": "{fid}", "name": "X",\n  "nodes": [,]}}', "not valid JSON"


def bad_cycle(fid: str) -> tuple[str, str, str]:
    text = (
        f"id: {fid}\nname: Loop\n"
        "nodes:\n  - {id: a, component: backend}\n  - {id: b, component: backend}\n"
        "edges:\n  - {id: e1, source: a, target: b}\n  - {id: e2, source: b, target: a}\n"
    )
    return "cycle.yaml", text, "cycle without a repeat edge"


def bad_schema(fid: str) -> tuple[str, str, str]:
    return "no-name.json", json.dumps({"id": fid, "nodes": []}), "Field required"


BAD_FILES = (bad_unknown_component, bad_json, bad_cycle, bad_schema)


# ------------------------------------------------------------------ the walk


class Walk:
    def __init__(self, page: Page, guard: Any, seed: int, tmp_path: Path) -> None:
        self.page = page
        self.guard = guard
        self.seed = seed
        self.tmp = tmp_path
        self.rng = random.Random(seed)
        self.model = Model(flows={})
        self.steps: list[str] = []
        self.count = 0
        self.templates: dict[str, Snap] = {}
        self.builtin_ids: set[str] = set()

    # -------------------------------------------------------------- reporting

    def log(self, text: str) -> None:
        self.steps.append(text)

    def why(self, message: str) -> str:
        steps = "\n".join(f"  {i:2d}. {s}" for i, s in enumerate(self.steps, 1))
        return f"{message}\n-- seed {self.seed}; steps so far (the last one failed):\n{steps}"

    def run(self, step: Callable[[], None]) -> None:
        """One step, then the oracle; any failure says the seed and the steps that led to it."""
        try:
            step()
            self.check()
        except AssertionError as err:
            if "-- seed" in str(err):
                raise
            raise AssertionError(self.why(str(err))) from err
        except PlaywrightError as err:
            raise AssertionError(self.why(f"{type(err).__name__}: {err.message}")) from err

    # -------------------------------------------------------------- page helpers

    def boot(self) -> None:
        self.page.set_default_timeout(15_000)
        self.page.emulate_media(reduced_motion="reduce")  # no trace playback eating the two cores
        self.page.context.add_init_script(script=FULL_STORAGE_SCRIPT)
        self.page.goto("/")
        self.page.wait_for_function(READY_JS)
        self.builtin_ids = set(
            self.page.evaluate("() => window.__traceplay.store.get().templates.map(t => t.id)")
        )
        for tid in TEMPLATES:
            raw = self.page.evaluate(
                f"async (id) => {{ {SNAP_JS} const r = await fetch('/api/templates/' + id);"
                " return snap(await r.json()); }",
                tid,
            )
            self.templates[tid] = Snap.of(raw)
            assert all(n[2] is not None for n in self.templates[tid].nodes), (
                f"{tid} has nodes without a place"
            )

    def taken(self) -> set[str]:
        return set(self.model.flows) | self.builtin_ids

    def name(self, prefix: str = "") -> str:
        self.count += 1
        if self.model.flows and self.rng.random() < 0.2:  # the same name again: a new id all the same
            return self.rng.choice([e.mem.name for e in self.model.flows.values()])
        return f"{prefix}{self.rng.choice(WORDS)} {self.count}"

    def flow_now(self, page: Page | None = None) -> Snap:
        return Snap.of((page or self.page).evaluate(FLOW_JS))

    def tools(self, fid: str) -> Locator:
        return self.page.locator(
            f"[data-testid='custom-flow-item'][data-flow-id='{fid}'] ~ .custom-flow-tools"
        )

    def wait_current(self, fid: str) -> None:
        self.page.wait_for_function(f"() => window.__traceplay.store.get().customId === {json.dumps(fid)}")

    def after_edit(self, immediate: bool = False) -> None:
        """Storage full: the failed save shows at once in the status, the row and the alert."""
        if not self.model.full or immediate:
            return
        self.page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'error'")
        expect(self.page.get_by_test_id("save-status")).to_have_text("Not saved")
        alert = self.page.get_by_test_id("flows-alert")
        expect(alert).to_contain_text("Browser storage is full")
        assert self.model.current
        expect(alert).to_contain_text(self.model.flows[self.model.current].mem.name)

    # -------------------------------------------------------------- the oracle

    def check(self) -> None:
        page = self.page
        page.wait_for_function(SAVED_JS)  # the auto-save has had its chance
        seen = page.evaluate(OBSERVE_JS)
        m = self.model
        rows = {r["id"]: r for r in seen["rows"]}
        assert len(rows) == len(seen["rows"]), self.why(f"a flow is listed twice: {seen['rows']}")
        lost = sorted(set(m.flows) - set(rows))
        assert not lost, self.why(f"flows missing from My flows: {lost}")
        extra = sorted(set(rows) - set(m.flows))
        assert not extra, self.why(f"unexpected flows in My flows: {extra}")
        for fid, e in m.flows.items():
            row = rows[fid]
            assert row["name"] == e.mem.name, self.why(
                f"{fid}: listed as {row['name']!r}, not {e.mem.name!r}"
            )
            assert row["meta"] == nodes_text(len(e.mem.nodes)), self.why(f"{fid}: {row['meta']} != {e.mem}")
            assert row["unsaved"] == e.dirty, self.why(
                f"{fid}: the row {'shows' if row['unsaved'] else 'does not show'} “not saved”, but "
                f"{'the last change could not be saved' if e.dirty else 'everything is saved'} "
                f"(in memory {e.mem}; saved {e.saved})"
            )
        memory = {fid: Snap.of(raw) for fid, raw in seen["memory"]}
        assert set(memory) == set(m.flows), self.why(
            f"this tab holds {sorted(memory)}, not {sorted(m.flows)}"
        )
        for fid, e in m.flows.items():  # while the tab is alive, nothing is lost (flows it has not open too)
            assert memory[fid] == e.mem, self.why(f"this tab holds {fid} as\n  {memory[fid]}\nnot\n  {e.mem}")
        assert seen["customId"] == m.current, self.why(f"open flow {seen['customId']!r}, not {m.current!r}")
        if m.current:
            e = m.flows[m.current]
            got = Snap.of(seen["flow"])
            assert got == e.mem, self.why(f"the open flow is\n  {got}\nnot\n  {e.mem}")
            want = "error" if e.dirty else "saved"
            assert seen["saveStatus"] == want, self.why(f"save status {seen['saveStatus']!r}, not {want!r}")
        stored: dict[str, str] = seen["stored"]
        assert QUARANTINE_KEY not in stored, self.why(f"something was quarantined: {stored[QUARANTINE_KEY]}")
        assert LEGACY_KEY not in stored, self.why("the version-0 key is back")
        on_disk = {k[len(PREFIX) :]: v for k, v in stored.items() if k.startswith(PREFIX)}
        should = {fid: e.saved for fid, e in m.flows.items() if e.saved is not None}
        lost = sorted(set(should) - set(on_disk))
        assert not lost, self.why(f"saved flows gone from localStorage: {lost}")
        extra = sorted(set(on_disk) - set(should))
        assert not extra, self.why(f"unexpected flows in localStorage: {extra}")
        for fid, raw in on_disk.items():
            entry = json.loads(raw)
            assert entry["schema"] == 1 and entry["id"] == fid and entry["flow"]["id"] == fid, self.why(
                f"entry {fid} is malformed: {raw[:300]}"
            )
            got = Snap.of(
                {
                    "name": entry["flow"]["name"],
                    "nodes": [
                        [n["id"], n["component"], n.get("x"), n.get("y")] for n in entry["flow"]["nodes"]
                    ],
                    "edges": [e["id"] for e in entry["flow"]["edges"]],
                }
            )
            assert got == should[fid], self.why(f"localStorage has {fid} as\n  {got}\nnot\n  {should[fid]}")
        alert = seen["alert"]
        assert not alert or alert["kind"] != "quarantine", self.why(f"quarantine alert: {alert['message']}")

    # -------------------------------------------------------------- steps: flows

    def create(self) -> None:
        page, m = self.page, self.model
        name = self.name()
        source = self.rng.choice([None, None, *TEMPLATES])
        fid = fresh_id(name, self.taken())
        self.log(f"create {name!r} ({'blank' if not source else 'copy of ' + source}) -> {fid}")
        page.get_by_test_id("add-flow").click()
        dialog = page.get_by_test_id("new-flow-dialog")
        expect(dialog).to_be_visible()
        page.get_by_test_id("new-flow-name").fill(name)
        if source:
            page.get_by_test_id("start-copy").check()
            page.get_by_test_id("new-flow-template").select_option(source)
        page.get_by_test_id("new-flow-create").click()
        expect(dialog).to_be_hidden()
        page.wait_for_function(
            "([before, name]) => { const s = window.__traceplay.store.get();"
            " return s.customId && s.customId !== before && s.flow.name === name; }",
            arg=[m.current, name],
        )
        got = page.evaluate("() => window.__traceplay.store.get().customId")
        assert got == fid, self.why(f"the new flow got the id {got!r}, not {fid!r}")
        snap = replace(self.templates[source], name=name) if source else Snap(name, (), ())
        m.added(fid, snap)
        m.current = fid
        if m.full:
            expect(page.get_by_test_id("flows-alert")).to_contain_text("Browser storage is full")

    def open_other(self) -> None:
        m = self.model
        fid = self.rng.choice(sorted(f for f in m.flows if f != m.current))
        self.log(f"open {fid}")
        self.page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fid}']").click()
        self.wait_current(fid)
        m.current = fid

    # -------------------------------------------------------------- steps: edits of the open flow

    def add_by_click(self, immediate: bool = False) -> None:
        self._add(drag=False, immediate=immediate)

    def add_by_drag(self) -> None:
        self._add(drag=True)

    def _add(self, *, drag: bool, immediate: bool = False) -> None:
        page, m = self.page, self.model
        assert m.current
        before = m.flows[m.current].mem
        comp = self.rng.choice(COMPONENTS)
        nid = unique_id(comp, before.ids())
        item = page.locator(f"[data-testid='component-item'][data-component-id='{comp}']")
        if drag:
            box = page.locator("#canvas").bounding_box()
            assert box
            x = self.rng.randint(200, int(box["width"]) - 200)
            y = self.rng.randint(120, int(box["height"]) - 100)
            self.log(f"drag {comp} onto the canvas at ({x}, {y}) -> {nid}")
            item.drag_to(page.locator("#canvas"), target_position={"x": x, "y": y})
        else:
            self.log(f"add {comp} (palette click) -> {nid}{' and reload at once' if immediate else ''}")
            item.click()
        page.wait_for_function(
            f"() => window.__traceplay.store.get().flow.nodes.length === {len(before.nodes) + 1}"
        )
        after = self.flow_now()
        assert after.nodes[:-1] == before.nodes and after.edges == before.edges, self.why(
            f"adding a node changed the rest: {before} -> {after}"
        )
        assert after.nodes[-1][:2] == (nid, comp), self.why(f"added {after.nodes[-1]}, not {nid} ({comp})")
        m.changed(m.current, after)
        self.after_edit(immediate)

    def _visible_point(self, nid: str) -> tuple[float, float] | None:
        """A point on the node's box that hits the node itself (not a neighbour over it), or None."""
        page = self.page
        box = page.locator(f"{NODE}[data-node-id='{nid}'] .node-box").bounding_box()
        canvas = page.locator("#canvas").bounding_box()
        if not box or not canvas:
            return None
        for fx, fy in ((0.35, 0.5), (0.5, 0.3), (0.2, 0.7)):
            x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
            if not (canvas["x"] + 10 < x < canvas["x"] + canvas["width"] - 10):
                continue
            if not (canvas["y"] + 60 < y < canvas["y"] + canvas["height"] - 10):
                continue
            hit = page.evaluate(
                "([x, y]) => { const el = document.elementFromPoint(x, y);"
                " const g = el && el.closest('[data-testid=\"canvas-node\"]');"
                " return g && !el.closest('.handle-dot') ? g.dataset.nodeId : null; }",
                [x, y],
            )
            if hit == nid:
                return x, y
        return None

    def move_by_drag(self) -> None:
        page, m = self.page, self.model
        assert m.current
        before = m.flows[m.current].mem
        nid = self.rng.choice(before.nodes)[0]
        dx = self.rng.choice([-1, 1]) * self.rng.randint(30, 120)
        dy = self.rng.choice([-1, 1]) * self.rng.randint(30, 90)
        page.wait_for_function(SETTLED_JS)
        point = self._visible_point(nid)
        if point is None:
            page.get_by_test_id("fit-button").click()
            page.wait_for_timeout(120)
            point = self._visible_point(nid)
        if point is None:  # hidden under another node even after fitting: nudge it instead
            self.move_by_keys(nid)
            return
        self.log(f"drag node {nid} by ({dx}, {dy})")
        x, y = point
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
        page.mouse.move(x + dx, y + dy, steps=4)
        page.mouse.up()
        old = before.node(nid)
        page.wait_for_function(
            f"([id, x, y]) => {{ const n = {NODE_JS}; return n.x !== x || n.y !== y; }}",
            arg=[nid, old[2], old[3]],
        )
        after = self.flow_now()
        moved = [a for a, b in zip(after.nodes, before.nodes, strict=True) if a != b]
        assert [n[0] for n in moved] == [nid] and after.edges == before.edges, self.why(
            f"dragging {nid} changed {moved}"
        )
        m.changed(m.current, after)
        self.after_edit()

    def move_by_keys(self, nid: str | None = None, immediate: bool = False) -> None:
        page, m = self.page, self.model
        assert m.current
        before = m.flows[m.current].mem
        nid = nid or self.rng.choice(before.nodes)[0]
        key, (ux, uy) = self.rng.choice(
            [("ArrowRight", (1, 0)), ("ArrowLeft", (-1, 0)), ("ArrowDown", (0, 1)), ("ArrowUp", (0, -1))]
        )
        times = self.rng.randint(1, 3)
        _, comp, x0, y0 = before.node(nid)
        assert x0 is not None and y0 is not None
        want = (nid, comp, x0 + 10 * ux * times, y0 + 10 * uy * times)
        self.log(f"nudge node {nid} {key} x{times}{' and reload at once' if immediate else ''}")
        page.wait_for_function(SETTLED_JS)
        page.locator(f"{NODE}[data-node-id='{nid}']").focus()
        for _ in range(times):
            page.keyboard.press(key)
        page.wait_for_function(
            f"([id, x, y]) => {{ const n = {NODE_JS}; return n.x === x && n.y === y; }}",
            arg=[nid, want[2], want[3]],
        )
        after = self.flow_now()
        assert after.nodes == tuple(want if n[0] == nid else n for n in before.nodes), self.why(
            f"nudging {nid}: {before} -> {after}"
        )
        m.changed(m.current, after)
        self.after_edit(immediate)

    def rename(self, fid: str) -> None:
        page, m = self.page, self.model
        old = m.flows[fid].mem
        name = f"{self.name('Renamed ')}"
        while name == old.name:
            name = f"{self.name('Renamed ')}"
        self.log(f"rename {fid}{' (open)' if fid == m.current else ''} to {name!r}")
        row = page.locator(f"[data-testid='custom-flow-item'][data-flow-id='{fid}']")
        row.hover()  # the row's tools show on hover (always for the open flow)
        self.tools(fid).get_by_test_id("rename-flow").click()
        field = page.get_by_test_id("rename-input")
        field.fill(name)
        field.press("Enter")
        page.wait_for_function(
            "([id, name]) => !document.querySelector(\"[data-testid='rename-input']\")"
            " && document.querySelector(`[data-flow-id='${id}'] .scenario-label`).textContent === name",
            arg=[fid, name],
        )
        m.changed(fid, replace(old, name=name))
        if fid == m.current:
            expect(page.get_by_test_id("scenario-name")).to_have_text(name)
            self.after_edit()

    def rename_current(self) -> None:
        assert self.model.current
        self.rename(self.model.current)

    def rename_other(self) -> None:
        m = self.model
        self.rename(self.rng.choice(sorted(f for f in m.flows if f != m.current)))

    # -------------------------------------------------------------- steps: reloads

    def _reload(self) -> None:
        self.page.reload()
        self.page.wait_for_function(READY_JS)
        self.model.reloaded()

    def reload(self) -> None:
        self.log("reload (the auto-save has run)")
        self._reload()

    def final_reload(self) -> None:
        self.log("final reload")
        self._reload()

    def edit_and_reload_at_once(self) -> None:
        m = self.model
        assert m.current
        movable = [n for n in m.flows[m.current].mem.nodes if n[2] is not None]
        if movable and self.rng.random() < 0.5:
            self.move_by_keys(immediate=True)
        else:
            self.add_by_click(immediate=True)
        status = self.page.evaluate("() => window.__traceplay.store.get().saveStatus")
        self.steps[-1] += f" (status then: {status})"
        self._reload()

    # -------------------------------------------------------------- steps: import

    def import_valid(self) -> None:
        page, m = self.page, self.model
        self.count += 1
        mode = self.rng.choice(["new", "new", "replace", "both", "skip"]) if m.flows else "new"
        if mode == "new":
            fid = f"imported-{self.count}"
            while fid in self.taken():
                fid += "x"
        else:
            fid = self.rng.choice(sorted(m.flows))
        name = f"Imported {self.count}"
        k = self.rng.randint(1, 3)
        comps = [self.rng.choice(COMPONENTS) for _ in range(k)]
        placed = tuple((f"n{i}", c, 100 + 220 * i, self.rng.randint(100, 300)) for i, c in enumerate(comps))
        snap = Snap(name, placed, tuple(f"e{i}" for i in range(k - 1)))
        nodes = [{"id": i, "component": c, "x": x, "y": y} for i, c, x, y in placed]
        edges = [{"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"} for i in range(k - 1)]
        doc = {"id": fid, "name": name, "description": "from a file", "nodes": nodes, "edges": edges}
        path = self.tmp / f"flow-{self.count}.json"
        path.write_text(json.dumps(doc, indent=2))
        files = [path]
        bad = self.rng.random() < 0.3
        if bad:
            bad_name, text, _ = self.rng.choice(BAD_FILES)(fid)
            files.append(self.tmp / f"{self.count}-{bad_name}")
            files[-1].write_text(text)
        new_id = {"new": fid, "replace": fid, "both": fresh_id(fid, self.taken()), "skip": None}[mode]
        self.log(f"import {fid} ({mode}{', with a bad file' if bad else ''}) -> {new_id}")
        page.get_by_test_id("import-input").set_input_files([str(f) for f in files])
        if mode != "new":
            choice = page.get_by_test_id("flow-choice")
            expect(choice).to_be_visible()
            page.get_by_test_id(
                {"replace": "conflict-replace", "both": "conflict-keep-both", "skip": "conflict-skip"}[mode]
            ).click()
            page.wait_for_function("() => !document.querySelector(\"[data-testid='flow-choice']\")")
        if bad:
            report = page.get_by_test_id("import-report")
            expect(report).to_be_visible()
            expect(report.get_by_test_id("import-problem").first).to_be_visible()
            if new_id:
                expect(report).to_contain_text(f"Imported: {name}")
            page.get_by_test_id("import-report-close").click()
            page.wait_for_function(NO_REPORT_JS)
        if new_id:
            page.wait_for_function(
                f"() => {{ const s = window.__traceplay.store.get();"
                f" return s.customId === {json.dumps(new_id)} && s.flow.name === {json.dumps(name)}; }}"
            )
            m.added(new_id, snap)
            m.current = new_id

    def import_invalid(self) -> None:
        page = self.page
        fid = self.rng.choice(sorted(self.model.flows)) if self.model.flows else "would-be-new"
        file_name, text, message = self.rng.choice(BAD_FILES)(fid)
        self.count += 1
        path = self.tmp / f"{self.count}-{file_name}"
        path.write_text(text)
        self.log(f"import the bad file {file_name} (id {fid})")
        before = page.evaluate(OBSERVE_JS)
        page.get_by_test_id("import-input").set_input_files(str(path))
        report = page.get_by_test_id("import-report")
        expect(report).to_be_visible()
        expect(report.get_by_test_id("import-problem").first).to_contain_text(message)
        expect(report.get_by_test_id("import-problem").first).to_contain_text(path.name)
        page.get_by_test_id("import-report-close").click()
        page.wait_for_function(NO_REPORT_JS)
        after = page.evaluate(OBSERVE_JS)
        for key in ("stored", "rows", "customId", "flow"):
            assert after[key] == before[key], self.why(
                f"a bad import changed {key}: {before[key]} -> {after[key]}"
            )

    # -------------------------------------------------------------- steps: storage full

    def storage_full(self) -> None:
        self.log("storage becomes full")
        self.page.evaluate(f"() => localStorage.setItem({json.dumps(FULL_FLAG)}, '1')")
        self.model.full = True

    def storage_back(self) -> None:
        page, m = self.page, self.model
        self.log("storage has room again" + (" (then edit the open flow)" if m.current else ""))
        page.evaluate(f"() => localStorage.removeItem({json.dumps(FULL_FLAG)})")
        m.full = False
        if not m.current:
            return
        was_dirty = m.flows[m.current].dirty
        self.add_by_click()
        page.wait_for_function("() => window.__traceplay.store.get().saveStatus === 'saved'")
        if was_dirty:
            alert = page.evaluate("() => window.__traceplay.store.get().flowsAlert")
            assert not alert or alert["kind"] != "quota", self.why(f"the quota alert stayed: {alert}")

    # -------------------------------------------------------------- steps: a second tab

    def second_tab(self) -> None:
        page, m = self.page, self.model
        candidates = sorted(f for f, e in m.flows.items() if e.saved is not None)
        dirty = [f for f in candidates if m.flows[f].dirty and f != m.current]
        roll = self.rng.random()
        if m.current in candidates and roll < 0.4:
            fid = m.current
        elif dirty and roll < 0.7:  # a flow this tab could not save: the other tab's save replaces it
            fid = self.rng.choice(dirty)
        else:
            fid = self.rng.choice(candidates)
        saved = m.flows[fid].saved
        assert saved
        comp = self.rng.choice(COMPONENTS)
        nid = unique_id(comp, saved.ids())
        note = " (this tab could not save its last change)" if m.flows[fid].dirty else ""
        self.log(f"a second tab opens {fid}{note} and adds {comp} -> {nid}")
        other = page.context.new_page()
        other.on("console", self.guard.on_console)
        other.on("pageerror", self.guard.on_page_error)
        other.set_default_timeout(15_000)
        other.emulate_media(reduced_motion="reduce")
        try:
            other.goto(f"/?flow={fid}")
            other.wait_for_function(READY_JS)
            assert other.evaluate("() => window.__traceplay.store.get().customId") == fid, self.why(
                f"the second tab did not open {fid}"
            )
            there = self.flow_now(other)
            assert there == saved, self.why(f"the second tab reads {fid} as\n  {there}\nnot\n  {saved}")
            other.locator(f"[data-testid='component-item'][data-component-id='{comp}']").click()
            other.wait_for_function(
                f"() => window.__traceplay.store.get().flow.nodes.length === {len(saved.nodes) + 1}"
            )
            other.wait_for_function(SETTLED_JS)
            status = other.evaluate("() => window.__traceplay.store.get().saveStatus")
            if m.full:
                assert status == "error", self.why(f"the second tab saved into a full storage ({status})")
                return
            assert status == "saved", self.why(f"the second tab's save: {status}")
            theirs = self.flow_now(other)
            assert theirs.nodes[-1][:2] == (nid, comp), self.why(f"the second tab added {theirs.nodes[-1]}")
            lost_here = m.flows[fid].dirty
            # this tab takes the other tab's save (the later save wins)
            page.wait_for_function(
                f"""() => {{
                    const e = window.__traceplay.flows.entries().find(e => e.id === {json.dumps(fid)});
                    const raw = localStorage.getItem({json.dumps(PREFIX + fid)});
                    const s = raw && JSON.parse(raw);
                    return e && s && e.rev === s.rev && e.tab === s.tab;
                }}"""
            )
            e = m.flows[fid]
            e.mem, e.saved, e.dirty = theirs, theirs, False
            if fid == m.current or lost_here:  # this tab is told (it had the flow open, or lost changes)
                alert = page.evaluate(ALERT_JS)  # the storage event has been handled (the rev above)
                assert "another tab" in alert and theirs.name in alert, self.why(
                    f"the second tab's save replaced {fid} here ("
                    f"{'the open flow' if fid == m.current else 'changes this tab could not save'}) "
                    f"and this tab was not told; its alert: {alert!r}"
                )
        finally:
            other.close()


def pick(walk: Walk) -> Callable[[], None]:
    m = walk.model
    options: list[tuple[float, Callable[[], None]]] = [
        (3.0 if len(m.flows) < 6 else 0.6, walk.create),
        (1.5, walk.reload),
        (1.5, walk.import_valid),
        (1.0, walk.import_invalid),
    ]
    if m.current:
        has_nodes = bool(m.flows[m.current].mem.nodes)
        options += [
            (3.0, walk.add_by_click),
            (2.0, walk.add_by_drag),
            (2.0, walk.rename_current),
            (1.5, walk.edit_and_reload_at_once),
        ]
        if has_nodes:
            options += [(2.0, walk.move_by_drag), (1.5, walk.move_by_keys)]
    if len(m.flows) >= 2:
        options += [(2.0, walk.open_other), (1.0, walk.rename_other)]
    options.append((3.0, walk.storage_back) if m.full else (1.0, walk.storage_full))
    if any(e.saved is not None for e in m.flows.values()):
        # more often when this tab holds changes it could not save and the other tab could save
        lost = not m.full and any(e.dirty and e.saved is not None for e in m.flows.values())
        options.append((4.0 if lost else 1.5, walk.second_tab))
    weights = [w for w, _ in options]
    return walk.rng.choices([f for _, f in options], weights=weights)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_no_custom_flow_is_ever_lost(page: Page, guard: Any, tmp_path: Path, seed: int) -> None:
    guard.allow(r"status of 422")  # the bad files: the server answers 422, the browser logs it
    walk = Walk(page, guard, seed, tmp_path)
    walk.boot()
    walk.check()
    for _ in range(STEPS):
        walk.run(pick(walk))
    walk.run(walk.final_reload)  # the end: whatever was saved comes back once more
