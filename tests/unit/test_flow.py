"""Flow validation: every problem names its node, edge and field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.flowkit import edge, node
from traceplay.domain.flow import Limits, find_cycle, flow_schema, parse_flow
from traceplay.errors import FlowError, Problem


def problems(data: dict[str, Any], limits: Limits | None = None) -> list[Problem]:
    with pytest.raises(FlowError) as info:
        parse_flow({"id": "f", "name": "F", **data}, limits=limits)
    return info.value.problems


def test_a_valid_flow_parses() -> None:
    flow = parse_flow({"id": "f", "name": "F", "nodes": [node("a"), node("b")], "edges": [edge("a", "b")]})
    assert [n.id for n in flow.nodes] == ["a", "b"]


def test_unknown_component_names_the_node_and_field() -> None:
    [p] = problems({"nodes": [node("a", "mainframe")], "edges": []})
    assert p.node_id == "a" and p.loc == "nodes[0].component" and "mainframe" in p.message


def test_edge_to_missing_node() -> None:
    [p] = problems({"nodes": [node("a")], "edges": [edge("a", "ghost")]})
    assert p.edge_id == "a-ghost" and p.loc == "edges[0].target" and "ghost" in p.message


def test_duplicate_ids() -> None:
    found = problems(
        {
            "nodes": [node("a"), node("a")],
            "edges": [edge("a", "a", id="x", repeat=2), edge("a", "a", id="x", repeat=2)],
        }
    )
    messages = " ".join(p.message for p in found)
    assert "duplicate node id 'a'" in messages and "duplicate edge id 'x'" in messages


def test_cycle_without_repeat_names_its_nodes() -> None:
    nodes = [node("a"), node("b"), node("c")]
    [p] = problems({"nodes": nodes, "edges": [edge("a", "b"), edge("b", "c"), edge("c", "a")]})
    assert "a → b → c → a" in p.message


def test_cycle_through_a_repeat_edge_is_allowed() -> None:
    nodes = [node("a"), node("b")]
    flow = parse_flow(
        {"id": "f", "name": "F", "nodes": nodes, "edges": [edge("a", "b"), edge("b", "a", repeat=3)]}
    )
    assert find_cycle(flow) is None


@pytest.mark.parametrize(("value", "words"), [(-5, "non-negative"), (7_200_000, "more than an hour")])
def test_negative_or_absurd_latency(value: float, words: str) -> None:
    [p] = problems({"nodes": [node("a", latency=value)], "edges": []})
    assert words in p.message and p.node_id == "a" and p.loc == "nodes[0].latency_ms"


def test_schema_errors_carry_the_node_id() -> None:
    [p] = problems({"nodes": [{"id": "a", "component": "backend", "x": "left"}], "edges": []})
    assert p.node_id == "a" and p.loc == "nodes[0].x"


def test_limits_are_configurable_and_checked_before_building() -> None:
    nodes = [node(f"n{i}") for i in range(11)]
    [p] = problems({"nodes": nodes, "edges": []}, Limits(max_nodes=10))
    assert "at most 10 nodes" in p.message
    parse_flow({"id": "f", "name": "F", "nodes": nodes, "edges": []}, limits=Limits(max_nodes=11))


def test_overrides_and_findings_must_name_real_nodes_and_edges() -> None:
    found = problems(
        {
            "nodes": [node("a")],
            "edges": [],
            "variants": {
                "error": {
                    "nodes": {"zz": {"status": "down"}},
                    "edges": {"ee": {"skip": True}},
                    "findings": [{"title": "t", "nodes": ["qq"]}],
                }
            },
        }
    )
    text = " ".join(p.message for p in found)
    assert "unknown node 'zz'" in text and "unknown edge 'ee'" in text and "'qq'" in text


def test_unknown_variant_on_an_edge() -> None:
    [p] = problems({"nodes": [node("a"), node("b")], "edges": [edge("a", "b", variants=["fast"])]})
    assert "unknown variant 'fast'" in p.message


def test_not_an_object() -> None:
    with pytest.raises(FlowError, match="must be an object"):
        parse_flow([1, 2])


def test_schema_is_published() -> None:
    schema = flow_schema()
    assert schema["title"] == "Flow" and "nodes" in schema["properties"]
