"""Properties of the engine over random valid DAG flows (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.flowkit import flow
from traceplay.domain.flow import Flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace

COMPONENTS = ["backend", "postgresql", "redis", "kafka", "sqs", "worker", "stripe", "grpc"]
EPS = 2e-3  # times are rounded to the microsecond


@st.composite
def dag_flows(draw: st.DrawFn) -> tuple[Flow, str]:
    n = draw(st.integers(min_value=1, max_value=12))
    nodes: list[dict[str, Any]] = [{"id": "n0", "component": "frontend", "latency_ms": 5.0}]
    for i in range(1, n):
        nodes.append(
            {
                "id": f"n{i}",
                "component": draw(st.sampled_from(COMPONENTS)),
                "latency_ms": draw(st.floats(min_value=0, max_value=500, allow_nan=False)),
            }
        )
    edges: list[dict[str, Any]] = []
    for i in range(1, n):  # every node gets one caller with a lower index: a DAG rooted at n0
        src = draw(st.integers(min_value=0, max_value=i - 1))
        edges.append(_edge(draw, f"e{i}", src, i))
    for j in range(draw(st.integers(min_value=0, max_value=n))):  # extra forward edges
        if n < 3:
            break
        a = draw(st.integers(min_value=1, max_value=n - 2))
        b = draw(st.integers(min_value=a + 1, max_value=n - 1))
        edges.append(_edge(draw, f"x{j}", a, b))
    variant = draw(st.sampled_from(["success", "slow", "error"]))
    overrides: dict[str, Any] = {}
    if n > 1 and draw(st.booleans()):
        victim = f"n{draw(st.integers(min_value=1, max_value=n - 1))}"
        overrides[victim] = {"status": draw(st.sampled_from(["error", "down", "timeout"]))}
    return flow(nodes, edges, variants={variant: {"nodes": overrides}} if overrides else {}), variant


def _edge(draw: st.DrawFn, eid: str, src: int, dst: int) -> dict[str, Any]:
    edge: dict[str, Any] = {
        "id": eid,
        "source": f"n{src}",
        "target": f"n{dst}",
        "step": draw(st.integers(min_value=0, max_value=2)),
        "retries": draw(st.integers(min_value=0, max_value=2)),
        "repeat": draw(st.integers(min_value=1, max_value=3)),
        "on_error": draw(st.sampled_from(["propagate", "handled"])),
    }
    if draw(st.booleans()):
        edge["timeout_ms"] = draw(st.floats(min_value=1, max_value=1000, allow_nan=False))
    if draw(st.booleans()):
        edge["mode"] = draw(st.sampled_from(["sync", "async"]))
    return edge


def check_invariants(trace: Trace, f: Flow) -> None:
    by_id = trace.by_id()
    roots = [s for s in trace.spans if s.parent_id is None]
    assert len(roots) == 1 and roots[0].node_id == "n0" and roots[0].start_ms == 0
    assert trace.response_ms <= trace.duration_ms + EPS
    assert trace.response_ms == roots[0].duration_ms
    edges = {e.id: e for e in f.edges}
    for span in trace.spans:
        if span.parent_id is None:
            continue
        parent = by_id[span.parent_id]
        assert span.start_ms >= parent.start_ms - EPS
        if span.links:  # async: linked follows_from its publisher
            assert span.links[0].type == "follows_from" and span.links[0].span_id == parent.span_id
            if span.component in ("kafka", "sqs"):
                assert span.kind == "producer"
            elif parent.component in ("kafka", "sqs"):
                assert span.kind == "consumer"
            continue
        cut = span.attributes.get("traceplay.orphaned") or any(e.name == "timeout" for e in parent.events)
        if not cut:
            assert span.end_ms <= parent.end_ms + EPS, f"{span.node_id} outlives {parent.node_id}"
    # steps: calls of a later step start after every call of an earlier step ended
    for parent in trace.spans:
        kids = [s for s in trace.spans if s.parent_id == parent.span_id and not s.links]
        for a in kids:
            for b in kids:
                ea, eb = edges[a.edge_id or ""], edges[b.edge_id or ""]
                if ea.step < eb.step and not a.attributes.get("traceplay.orphaned"):
                    assert b.start_ms >= a.start_ms - EPS
        first_of_step: dict[int, set[float]] = {}
        for k in kids:
            e = edges[k.edge_id or ""]
            if k.attributes.get("traceplay.repeat", 1) == 1 and k.attributes.get("traceplay.attempt", 1) == 1:
                first_of_step.setdefault(e.step, set()).add(round(k.start_ms, 6))
        for starts in first_of_step.values():  # siblings of one step start together
            assert len(starts) == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_flows())
def test_engine_invariants(case: tuple[Flow, str]) -> None:
    f, variant = case
    trace = simulate(f, variant)
    check_invariants(trace, f)


@settings(max_examples=40, deadline=None)
@given(dag_flows(), st.integers(min_value=0, max_value=2**32))
def test_same_input_and_seed_same_trace(case: tuple[Flow, str], seed: int) -> None:
    f, variant = case
    assert simulate(f, variant, seed=seed) == simulate(f, variant, seed=seed)
    assert simulate(f, variant) == simulate(f, variant)
