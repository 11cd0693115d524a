"""compare(base, other): span matching, deltas, per-node heat, badges and the summary, on known pairs."""

from __future__ import annotations

import pytest

from tests.unit.flowkit import edge, flow, node
from traceplay.domain.compare import Comparison, SpanDelta, compare
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace
from traceplay.templates import get_template


def pair(template: str, base: str, other: str) -> tuple[Trace, Trace, Comparison]:
    f = get_template(template)
    b, o = simulate(f, base), simulate(f, other)
    return b, o, compare(b, o)


def by_node(c: Comparison, node_id: str) -> list[SpanDelta]:
    return [s for s in c.spans if s.node_id == node_id]


def test_same_structure_matches_every_span_and_puts_the_time_in_the_database() -> None:
    b, o, c = pair("simple", "success", "slow")
    assert c.match_by == "node"
    assert c.added == [] and c.removed == []
    assert len(c.spans) == len(o.spans) == len(b.spans)
    assert {s.other_span_id for s in c.spans} == {s.span_id for s in o.spans}
    assert c.response_delta_ms == pytest.approx(o.response_ms - b.response_ms)
    (db,) = by_node(c, "db")
    base_db = next(s for s in b.spans if s.node_id == "db")
    other_db = next(s for s in o.spans if s.node_id == "db")
    assert db.base_span_id == base_db.span_id and db.other_span_id == other_db.span_id
    assert db.delta_ms == pytest.approx(other_db.duration_ms - base_db.duration_ms)
    assert db.change == "slower" and db.status_change is None
    # where the time went: the database's critical self time, as a share of the response change
    top = c.where[0]
    assert top.node_id == "db" and top.share == pytest.approx(top.delta_ms / c.response_delta_ms, abs=1e-3)
    assert c.summary.startswith(f"+{2.75:.2f} s (140 ms → 2.90 s)")
    assert "of it in PostgreSQL `SELECT" in c.summary


def test_critical_deltas_add_up_to_the_response_change() -> None:
    for template, base, other in (("simple", "success", "error"), ("redis-cache", "success", "slow")):
        _, _, c = pair(template, base, other)
        total = sum(s.critical_delta_ms for s in c.spans)
        assert total == pytest.approx(c.response_delta_ms, abs=0.01)


def test_badges_say_how_many_times_slower_than_the_baseline() -> None:
    b, o, c = pair("simple", "success", "slow")
    other_db = next(s for s in o.spans if s.node_id == "db")
    base_db = next(s for s in b.spans if s.node_id == "db")
    ratio = other_db.duration_ms / base_db.duration_ms
    assert c.badges[other_db.span_id] == f"{ratio:.0f}× its time in the success variant"
    _, _, back = pair("simple", "slow", "success")
    fast = next(s for s in back.spans if s.node_id == "db")
    assert back.badges[fast.other_span_id or ""] == f"{ratio:.0f}× faster than in the slow variant"


def test_added_and_removed_spans_are_marked() -> None:
    _, _, c = pair("redis-cache", "success", "slow")
    added = {s.node_id: s for s in c.spans if s.change == "added"}
    assert set(added) == {"db", "redis"}  # the SELECT and the SETEX write-back
    assert sorted(c.added) == sorted(s.other_span_id for s in added.values())
    assert all(c.badges[sid] == "not in the success variant" for sid in c.added)
    nodes = {n.node_id: n for n in c.nodes}
    assert nodes["db"].change == "added" and nodes["db"].base_spans == 0 and nodes["db"].other_spans == 1
    assert "97 % of it in the new call to PostgreSQL" in c.summary
    assert "2 spans new" in c.summary

    _, _, back = pair("redis-cache", "slow", "success")
    assert {s.node_id for s in back.spans if s.change == "removed"} == {"db", "redis"}
    assert len(back.removed) == 2 and back.added == []
    assert "no longer called" in back.summary


def test_a_request_that_starts_failing_says_where_the_error_starts() -> None:
    _, _, c = pair("simple", "success", "error")
    assert c.status_change == "failing"
    assert c.summary.startswith("Now the request fails: an error after 3.10 s, where the success variant")
    assert "The error starts in PostgreSQL" in c.summary
    failing = {s.node_id for s in c.spans if s.status_change == "failing"}
    assert failing == {"frontend", "backend", "db"}
    _, _, back = pair("simple", "error", "success")
    assert back.status_change == "recovered" and back.summary.startswith("Now the request succeeds in 140 ms")


def test_a_trace_against_itself_has_no_difference() -> None:
    t = simulate(get_template("api-gateway-microservices"), "slow")
    c = compare(t, t)
    assert all(s.change == "same" and s.delta_ms == 0 for s in c.spans)
    assert c.badges == {} and c.where == [] and c.added == [] and c.removed == []
    assert all(n.change == "same" and n.heat == 0 for n in c.nodes)
    assert c.summary == f"The response time is the same: {2.67:.2f} s."


def test_node_heat_colours_the_node_whose_own_time_changed() -> None:
    _, _, c = pair("api-gateway-microservices", "success", "slow")
    heat = {n.node_id: n.heat for n in c.nodes}
    assert heat["orders-db"] == 1.0  # its own time changed the most
    assert heat["orders"] == 0.0 and heat["gateway"] == 0.0  # they only waited for it
    assert all(-1.0 <= h <= 1.0 for h in heat.values())
    orders_db = next(n for n in c.nodes if n.node_id == "orders-db")
    assert orders_db.ratio == pytest.approx(orders_db.other_ms / orders_db.base_ms, abs=1e-3)


def test_repeated_calls_match_by_occurrence() -> None:
    def run(retries: int) -> Trace:
        f = flow(
            [node("api"), node("db", "postgresql", 5.0)],
            [edge("api", "db", operation="SELECT 1", retries=retries)],
            variants={"error": {"nodes": {"db": {"status": "error", "error": "boom"}}}},
        )
        return simulate(f, "error")

    c = compare(run(0), run(2))
    calls = sorted((s for s in c.spans if s.node_id == "db"), key=lambda s: s.occurrence)
    assert [s.occurrence for s in calls] == [0, 1, 2]
    assert [s.change for s in calls] == ["same", "added", "added"]
    assert calls[1].key == "n:db|SELECT 1|1"


def test_traces_without_node_ids_match_by_service_and_operation() -> None:
    def imported(t: Trace) -> Trace:
        spans = [s.model_copy(update={"node_id": None, "edge_id": None}) for s in t.spans]
        return t.model_copy(update={"spans": spans, "flow": None, "variant": None})

    f = get_template("simple")
    c = compare(imported(simulate(f, "success")), imported(simulate(f, "slow")))
    assert c.match_by == "service"
    assert c.added == [] and c.removed == []
    assert {n.key for n in c.nodes} == {"Frontend", "Backend", "PostgreSQL"}
    assert "the baseline" in next(iter(c.badges.values()))


def test_a_parallelised_call_leaving_the_critical_path_is_where_the_time_went() -> None:
    def run(parallel: bool) -> Trace:
        f = flow(
            [node("api", latency=2.0), node("a", latency=100.0), node("b", latency=60.0)],
            [edge("api", "a", step=0), edge("api", "b", step=0 if parallel else 1)],
        )
        return simulate(f, "success")

    c = compare(run(False), run(True))
    assert c.response_delta_ms == pytest.approx(-60.0)
    top = c.where[0]
    assert top.node_id == "b" and top.delta_ms == pytest.approx(-60.0)
    b = next(s for s in c.spans if s.node_id == "b")
    assert b.change == "same" and b.offset_delta_ms == pytest.approx(-100.0)  # same work, started sooner
    assert c.summary.startswith("−60.0 ms (162 ms → 102 ms), 100 % of it from b `call b`")


def test_a_longer_queue_wait_is_named() -> None:
    _, _, c = pair("sqs-async", "success", "slow")
    assert c.response_delta_ms == 0
    assert "The response time is the same" in c.summary
    assert "picks its message up" in c.summary and "a longer wait in the queue" in c.summary
    assert "The work after the response now runs" in c.summary


def test_deep_traces_compare_without_recursion() -> None:
    n = 5_000  # far past Python's recursion limit
    spans = [
        Span(
            span_id=f"{i:016x}",
            parent_id=f"{i - 1:016x}" if i else None,
            node_id=f"n{i}",
            service=f"s{i}",
            operation="op",
            kind="server",
            start_ms=float(i),
            duration_ms=float(2 * (n - i)),
        )
        for i in range(n)
    ]
    base = Trace(trace_id="a" * 32, response_ms=2.0 * n, duration_ms=2.0 * n, status="ok", spans=spans)
    slower = [s.model_copy(update={"duration_ms": s.duration_ms + 1}) for s in spans]
    other = base.model_copy(update={"spans": slower, "trace_id": "b" * 32, "response_ms": 2.0 * n + 1})
    c = compare(base, other)
    assert len(c.spans) == n and c.added == [] and c.removed == []
    assert c.response_delta_ms == 1.0
