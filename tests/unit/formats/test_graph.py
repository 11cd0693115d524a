"""The service graph of a trace: a valid flow, one node per service, virtual peers, sync/async,
steps, cycles broken by a second node, the layered layout, and the stamped spans."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from traceplay.domain.flow import parse_flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.formats.graph import BOX_H, BOX_W, COLUMN_PX, ROW_PX, flow_from_trace, stamp_trace
from traceplay.templates import get_template, template_ids


def span(
    sid: str, parent: str | None, service: str, start: float, dur: float, **extra: Any
) -> dict[str, Any]:
    return {
        "span_id": sid.rjust(16, "0"),
        "parent_id": parent.rjust(16, "0") if parent else None,
        "service": service,
        "operation": extra.pop("operation", f"{service} op"),
        "start_ms": start,
        "duration_ms": dur,
        **extra,
    }


def trace_of(*spans: dict[str, Any]) -> Trace:
    return Trace.model_validate(
        {
            "trace_id": "ab" * 16,
            "response_ms": spans[0]["duration_ms"],
            "duration_ms": 100.0,
            "status": "ok",
            "spans": list(spans),
        }
    )


def test_one_node_per_service_with_guessed_components_and_virtual_peers() -> None:
    trace = trace_of(
        span("1", None, "web", 0, 100, kind="client", operation="GET /cart"),
        span("2", "1", "cart-api", 5, 90, kind="server"),
        span(
            "3",
            "2",
            "cart-api",
            10,
            5,
            kind="client",
            operation="SELECT cart",
            attributes={"db.system": "postgresql", "db.namespace": "shop"},
        ),
        span(
            "4",
            "2",
            "cart-api",
            20,
            5,
            kind="client",
            operation="GET cart:1",
            attributes={"db.system.name": "redis", "server.address": "cache-1"},
        ),
        span(
            "5",
            "2",
            "cart-api",
            30,
            2,
            kind="producer",
            operation="publish cart.updated",
            attributes={"messaging.system": "kafka", "messaging.destination.name": "cart.updated"},
        ),
        span("6", "5", "notifier", 40, 30, kind="consumer", operation="process cart.updated"),
    )
    flow = flow_from_trace(trace)
    assert parse_flow(flow.model_dump(mode="json")) == flow
    nodes = {n.label: n for n in flow.nodes}
    assert set(nodes) == {"web", "cart-api", "shop", "cache-1", "cart.updated", "notifier"}
    assert {k: nodes[k].component for k in nodes} == {
        "web": "frontend",
        "cart-api": "backend",
        "shop": "postgresql",
        "cache-1": "redis",
        "cart.updated": "kafka",
        "notifier": "backend",
    }
    edges = {(e.source, e.target): e for e in flow.edges}
    ids = {n.label: n.id for n in flow.nodes}
    assert edges[(ids["web"], ids["cart-api"])].mode == "sync"
    assert edges[(ids["cart-api"], ids["shop"])].operation == "SELECT cart"
    assert edges[(ids["cart-api"], ids["cart.updated"])].mode == "async"
    assert edges[(ids["cart.updated"], ids["notifier"])].mode == "async"
    # steps from start order: the three calls of cart-api do not overlap
    assert [edges[(ids["cart-api"], ids[t])].step for t in ("shop", "cache-1", "cart.updated")] == [0, 1, 2]
    assert flow.entry == ids["web"] and nodes["web"].operation == "GET /cart"


def test_parallel_calls_share_a_step_and_sequential_repeats_are_counted() -> None:
    trace = trace_of(
        span("1", None, "api", 0, 100, kind="server"),
        span("2", "1", "a", 10, 20, kind="server"),
        span("3", "1", "b", 12, 20, kind="server"),
        span("4", "1", "c", 40, 5, kind="server", operation="q"),
        span("5", "1", "c", 50, 5, kind="server", operation="q"),
        span("6", "1", "c", 60, 5, kind="server", operation="q", status="error"),
    )
    flow = flow_from_trace(trace)
    edges = {e.target: e for e in flow.edges}
    assert (edges["a"].step, edges["b"].step, edges["c"].step) == (0, 0, 1)
    assert edges["c"].repeat == 3 and edges["c"].on_error == "handled"
    api = next(n for n in flow.nodes if n.id == "api")
    assert api.latency_ms == pytest.approx(100 - 22 - 15)  # minus the time its calls cover


def test_a_call_back_upstream_gets_a_second_node_instead_of_a_cycle() -> None:
    trace = trace_of(
        span("1", None, "a", 0, 100, kind="server"),
        span("2", "1", "b", 10, 50, kind="server"),
        span("3", "2", "a", 20, 10, kind="server"),
        span("4", "3", "b", 22, 5, kind="server"),
    )
    flow = flow_from_trace(trace)
    assert [n.label for n in flow.nodes] == ["a", "b", "a #2", "b #2"]
    assert [(e.source, e.target) for e in flow.edges] == [("a", "b"), ("b", "a-2"), ("a-2", "b-2")]


def test_layout_left_to_right_in_layers() -> None:
    trace = trace_of(
        span("1", None, "gw", 0, 100, kind="server"),
        span("2", "1", "users", 10, 30, kind="server"),
        span("3", "1", "orders", 50, 30, kind="server"),
        span("4", "3", "users", 55, 10, kind="server"),
    )
    flow = flow_from_trace(trace)
    pos = {n.id: (n.x, n.y) for n in flow.nodes}
    assert pos["gw"] == (40 + BOX_W / 2, 40 + BOX_H / 2)
    # users is called by gw and by orders: the longest path puts it in the third column
    assert pos["orders"][0] == pos["gw"][0] + COLUMN_PX
    assert pos["users"][0] == pos["gw"][0] + 2 * COLUMN_PX
    xs = sorted({x for x, _ in pos.values()})
    assert all(b - a == COLUMN_PX for a, b in itertools.pairwise(xs))
    assert all((y - pos["gw"][1]) % ROW_PX == 0 for _, y in pos.values())


def test_stamping_lights_every_span_up() -> None:
    trace = trace_of(
        span("1", None, "web", 0, 100, kind="client"),
        span("2", "1", "api", 5, 90, kind="server"),
        span("3", "2", "api", 10, 20, kind="internal"),
    )
    flow = stamp_trace(trace)
    assert [(s.node_id, s.edge_id, s.component) for s in trace.spans] == [
        ("web", None, "frontend"),
        ("api", "web-to-api", "backend"),
        ("api", None, "backend"),
    ]
    assert [e.id for e in flow.edges] == ["web-to-api"]


def test_ids_from_odd_service_names_are_valid_and_unique() -> None:
    trace = trace_of(
        span("1", None, "Front End (EU)", 0, 100, kind="server"),
        span("2", "1", "yelp_main/api proxy", 5, 50, kind="server"),
        span("3", "1", "yelp_main api proxy", 60, 10, kind="server"),
        span("4", "1", "¿?", 80, 10, kind="server"),
    )
    flow = flow_from_trace(trace)
    assert [n.id for n in flow.nodes] == [
        "front-end-eu",
        "yelp_main-api-proxy",
        "yelp_main-api-proxy-2",
        "node",
    ]


@pytest.mark.parametrize("template_id", template_ids())
def test_a_simulated_trace_gives_back_its_flow_graph(template_id: str) -> None:
    original = get_template(template_id)
    for variant in original.variants:
        trace = simulate(original, variant)
        flow = flow_from_trace(trace)
        assert parse_flow(flow.model_dump(mode="json")) == flow
        by_id = {n.id: n for n in original.nodes}

        def base(node_id: str, by_id: dict[str, Any] = by_id) -> str:  # a re-entered node is copied: "db-2"
            return node_id if node_id in by_id else node_id.rsplit("-", 1)[0]

        for node in flow.nodes:
            assert node.component == by_id[base(node.id)].component
        edges = {e.id: e for e in original.edges}
        for edge in flow.edges:
            if edge.id in edges:
                assert (base(edge.source), base(edge.target)) == (
                    edges[edge.id].source,
                    edges[edge.id].target,
                )
        # the derived flow can be simulated again (saved as a custom flow)
        simulate(flow, "success")
