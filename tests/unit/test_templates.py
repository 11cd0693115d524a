"""Every built-in scenario loads, tells three variants, hits its numbers and is laid out readably."""

from __future__ import annotations

import itertools

import pytest

from traceplay.domain import catalogue
from traceplay.domain.simulate import simulate
from traceplay.errors import NotFoundError
from traceplay.templates import ORDER, get_template, summary, template_ids

NODE_W, NODE_H, MARGIN = 160, 64, 20
IDS = template_ids()


def test_all_43_scenarios_ship_in_roadmap_order() -> None:
    assert len(ORDER) == 43 and len(set(ORDER)) == 43
    assert list(ORDER) == IDS


@pytest.mark.parametrize("template_id", IDS)
def test_scenario_is_complete(template_id: str) -> None:
    flow = get_template(template_id)
    assert flow.id == template_id and flow.name and len(flow.description) > 40 and flow.category
    assert list(flow.variants) == ["success", "slow", "error"]
    for vid, v in flow.variants.items():
        where = f"{template_id}/{vid}"
        assert v.title and v.summary, where
        assert len(v.findings) + len(v.tips) >= 2 and v.findings, f"{where}: needs findings"
        assert v.fixes, f"{where}: needs fixes"
    assert flow.variants["error"].severity in ("warning", "critical")


@pytest.mark.parametrize(
    ("template_id", "variant"), [(t, v) for t in IDS for v in ("success", "slow", "error")]
)
def test_variant_runs_and_lands_on_its_target(template_id: str, variant: str) -> None:
    flow = get_template(template_id)
    trace = simulate(flow, variant)
    assert trace.spans and trace.spans[0].parent_id is None
    target = flow.variants[variant].target_ms
    if target is not None:
        assert target * 0.75 <= trace.response_ms <= target * 1.25, (
            f"{template_id}/{variant}: {trace.response_ms} ms, target {target} ms"
        )


GRID_COLUMNS = (100, 340, 580, 820, 1060, 1300)


@pytest.mark.parametrize("template_id", IDS)
def test_authoring(template_id: str) -> None:
    """Grid layout, short labels, explicit latencies, and findings that point at real nodes and edges."""
    flow = get_template(template_id)
    node_ids = {n.id for n in flow.nodes}
    edge_ids = {e.id for e in flow.edges}
    for n in flow.nodes:
        assert n.x in GRID_COLUMNS and n.y % 20 == 0 and 60 <= n.y <= 620, (
            f"{template_id}: {n.id} off the grid"
        )
        assert len(n.label) <= 18, f"{template_id}: label of {n.id} is too long"
        assert n.latency_ms is not None, f"{template_id}: {n.id} needs latency_ms so the numbers are intended"
    for a, b in itertools.combinations(flow.nodes, 2):
        if a.x == b.x:
            assert abs(a.y - b.y) >= 120, f"{template_id}: {a.id} and {b.id} share a column too closely"
    for name, v in flow.variants.items():
        assert len(v.tips) in (1, 2, 3) and len(v.fixes) in (1, 2, 3), f"{template_id}/{name}"
        assert len(v.findings) in (2, 3, 4), f"{template_id}/{name}: 2 to 4 findings"
        for f in v.findings:
            assert f.detail and (f.nodes or f.edges), f"{template_id}/{name}: {f.title} points at nothing"
            assert set(f.nodes) <= node_ids and set(f.edges) <= edge_ids, f"{template_id}/{name}: {f.title}"


@pytest.mark.parametrize("template_id", IDS)
def test_layout_has_no_overlapping_nodes(template_id: str) -> None:
    flow = get_template(template_id)
    for a, b in itertools.combinations(flow.nodes, 2):
        apart_x = abs(a.x - b.x) >= NODE_W + MARGIN
        apart_y = abs(a.y - b.y) >= NODE_H + MARGIN
        assert apart_x or apart_y, f"{template_id}: {a.id} and {b.id} overlap"
    for n in flow.nodes:
        assert n.x >= NODE_W / 2 and n.y >= NODE_H / 2, f"{template_id}: {n.id} is off the canvas"
        assert catalogue.get(n.component) is not None


@pytest.mark.parametrize("template_id", IDS)
def test_requests_flow_left_to_right(template_id: str) -> None:
    flow = get_template(template_id)
    nodes = flow.node_map()
    backwards = [e.id for e in flow.edges if e.repeat < 2 and nodes[e.target].x < nodes[e.source].x]
    assert len(backwards) <= len(flow.edges) // 4, f"{template_id}: edges going right to left: {backwards}"


def test_summary_lists_variants() -> None:
    s = summary(get_template("simple"))
    assert [v["id"] for v in s["variants"]] == ["success", "slow", "error"]  # type: ignore[index]


def test_unknown_template() -> None:
    with pytest.raises(NotFoundError, match="unknown scenario 'nope'"):
        get_template("nope")
