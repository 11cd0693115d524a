"""Fix it, re-run it: every fix yields a valid new flow whose re-run changes what the fix claims."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.flowkit import edge, flow, node
from traceplay.domain.analysis import analyze
from traceplay.domain.fixes import FIXES, FixOffer, FixTarget, apply_fix, fixes_for
from traceplay.domain.flow import Flow, check_flow, edge_mode, parse_flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace
from traceplay.errors import FlowError, NotFoundError
from traceplay.templates import get_template, template_ids


def offers(f: Flow, variant: str) -> list[FixOffer]:
    trace = simulate(f, variant)
    return fixes_for(f, trace, analyze(trace, f))


def offer(f: Flow, variant: str, fix_id: str, edges: list[str] | None = None) -> FixOffer:
    found = [
        o for o in offers(f, variant) if o.fix_id == fix_id and (edges is None or o.target.edges == edges)
    ]
    assert found, (
        f"no {fix_id} offer on {f.id} {variant}: {[(o.fix_id, o.target.edges) for o in offers(f, variant)]}"
    )
    return found[0]


def spans_of(trace: Trace, node_id: str) -> list[Span]:
    return [s for s in trace.spans if s.node_id == node_id]


def rerun(f: Flow, o: FixOffer, variant: str) -> tuple[Flow, Trace, Trace]:
    fixed = apply_fix(f, o.fix_id, o.target)
    return fixed, simulate(f, variant), simulate(fixed, variant)


# -- every offer on every built-in ----------------------------------------------------------------------


def test_every_offer_on_the_built_ins_applies_to_a_valid_new_flow() -> None:
    seen: set[str] = set()
    for tid in template_ids():
        f = get_template(tid)
        before = f.model_dump(mode="json")
        for variant in ("success", "slow", "error"):
            trace = simulate(f, variant)
            analysis = analyze(trace, f)
            finding_ids = {x.id for x in analysis.findings}
            for o in fixes_for(f, trace, analysis):
                seen.add(o.fix_id)
                assert o.finding_id in finding_ids
                assert o.title and o.claim and o.target.edges
                fixed = apply_fix(f, o.fix_id, o.target)
                assert fixed.id == f"{tid}-fixed" and fixed.name == f"{f.name} (fixed)"
                assert check_flow(fixed) == []
                assert parse_flow(fixed.model_dump(mode="json")) == fixed
                assert simulate(fixed, variant).spans, (tid, variant, o.fix_id)
        assert f.model_dump(mode="json") == before, f"a fix changed the built-in {tid}"
    assert seen == {fix.id for fix in FIXES}, "every fix is offered somewhere in the built-ins"


def test_offers_come_most_serious_finding_first() -> None:
    f = get_template("simple")
    trace = simulate(f, "error")
    analysis = analyze(trace, f)
    rank = {x.id: n for n, x in enumerate(analysis.findings)}
    found = fixes_for(f, trace, analysis)
    assert [rank[o.finding_id or ""] for o in found] == sorted(rank[o.finding_id or ""] for o in found)
    assert {o.fix_id for o in found} >= {"add-retry", "circuit-breaker", "read-replica"}


def test_applying_twice_keeps_one_suffix() -> None:
    f = get_template("simple")
    once = apply_fix(f, "circuit-breaker", FixTarget(edges=["be-db"]))
    twice = apply_fix(once, "add-cache", FixTarget(edges=["be-db"]))
    assert twice.id == "simple-fixed" and twice.name == "Simple (fixed)"
    assert twice.description.count("Fixed:") == 2


# -- what each fix claims, re-run -----------------------------------------------------------------------

HANG: dict[str, Any] = {"error": {"nodes": {"dep": {"status": "timeout"}}}, "success": {}}


def test_a_timeout_bounds_a_hang() -> None:
    f = flow(
        [node("web", "frontend", 2.0), node("api", "backend", 10.0), node("dep", "external-api", 100.0)],
        [edge("web", "api"), edge("api", "dep", operation="GET /quote")],
        variants=HANG,
    )
    o = offer(f, "error", "add-timeout", ["api-dep"])
    assert o.title == "Add a 300 ms timeout to api → dep"  # 3 × the healthy 100 ms
    fixed, before, after = rerun(f, o, "error")
    assert next(e for e in fixed.edges if e.id == "api-dep").timeout_ms == 300.0
    assert before.response_ms >= 30_000  # the flow's default timeout
    assert after.response_ms < 400 and after.status == "error"
    (dep,) = spans_of(after, "dep")
    assert dep.duration_ms == 300.0 and "within 300 ms" in (dep.error or "")


def test_a_timeout_is_not_offered_on_a_caller_that_only_waited_for_a_slow_call() -> None:
    f = flow(
        [node("web", "frontend", 2.0), node("api", "backend", 10.0), node("dep", "external-api", 100.0)],
        [edge("web", "api"), edge("api", "dep", operation="GET /quote")],
        variants=HANG,
    )
    assert [o.target.edges for o in offers(f, "error") if o.fix_id == "add-timeout"] == [["api-dep"]]


def test_a_retry_gets_through_a_passing_glitch() -> None:
    f = flow(
        [node("api", "backend", 10.0), node("dep", "external-api", 50.0)],
        [edge("api", "dep", operation="GET /rates")],
        variants={
            "success": {},
            "error": {
                "nodes": {"dep": {"status": "error", "error": "502 Bad Gateway"}},
                "edges": {"api-dep": {"fail_attempts": 1}},
            },
        },
    )
    o = offer(f, "error", "add-retry", ["api-dep"])
    _, before, after = rerun(f, o, "error")
    assert before.status == "error" and after.status == "ok"
    first, second = sorted(spans_of(after, "dep"), key=lambda s: s.start_ms)
    assert first.status == "error" and second.status == "ok"
    assert second.start_ms - first.end_ms == pytest.approx(100.0)  # the backoff: 2 × the healthy 50 ms


def test_a_retry_against_a_dependency_that_stays_down_costs_more() -> None:
    f = get_template("simple")
    o = offer(f, "error", "add-retry", ["be-db"])
    _, before, after = rerun(f, o, "error")
    assert len(spans_of(before, "db")) == 1 and len(spans_of(after, "db")) == 3
    assert after.status == "error" and after.response_ms > 3 * before.response_ms - 1000


def test_a_circuit_breaker_makes_the_error_variant_fail_fast() -> None:
    f = get_template("simple")
    o = offer(f, "error", "circuit-breaker", ["be-db"])
    fixed, before, after = rerun(f, o, "error")
    assert before.response_ms > 3000
    assert after.status == "error" and after.response_ms < 100
    assert spans_of(after, "db") == []  # the callee is not called at all
    (backend,) = spans_of(after, "backend")
    assert "circuit open" in (backend.error or "")
    assert backend.attributes["circuit_breaker.state"] == "open"
    ok_before, ok_after = simulate(f, "success"), simulate(fixed, "success")
    assert ok_after.response_ms == ok_before.response_ms  # closed: nothing changes
    assert spans_of(ok_after, "db")[0].attributes["circuit_breaker.state"] == "closed"


def test_a_circuit_breaker_on_a_handled_call_keeps_the_fallback() -> None:
    f = get_template("redis-cache")
    o = offer(f, "error", "circuit-breaker", ["be-redis"])
    _, before, after = rerun(f, o, "error")
    assert after.status == "ok" and spans_of(after, "redis") == []
    assert after.response_ms == pytest.approx(before.response_ms - 1.0)  # no refused connection to wait for
    assert spans_of(after, "db")  # the fallback still reads the database


def test_a_circuit_breaker_keeps_a_generated_fault() -> None:
    f = flow(
        [node("web", "frontend", 2.0), node("api", "backend", 10.0), node("db", "postgresql", 20.0)],
        [edge("web", "api"), edge("api", "db", operation="SELECT 1")],
    )
    assert f.variants == {}
    fixed = apply_fix(f, "circuit-breaker", FixTarget(edges=["api-db"]))
    assert set(fixed.variants) >= {"success", "slow", "error"}
    after = simulate(fixed, "error")
    assert spans_of(after, "db") == [] and after.status == "error"
    assert simulate(fixed, "slow").response_ms == simulate(f, "slow").response_ms


def test_a_cache_lowers_the_success_latency_and_a_miss_still_pays() -> None:
    f = get_template("simple")
    o = offer(f, "slow", "add-cache", ["be-db"])
    fixed, before, after = rerun(f, o, "success")
    cache = next(n for n in fixed.nodes if n.component == "redis")
    assert after.response_ms < before.response_ms - 40
    assert spans_of(after, "db") == []
    (hit,) = spans_of(after, cache.id)
    assert hit.attributes["cache.hit"] is True and hit.operation.startswith("GET ")
    miss = simulate(fixed, "slow")
    assert [s.operation.split()[0] for s in sorted(spans_of(miss, cache.id), key=lambda s: s.start_ms)] == [
        "GET",
        "SETEX",
    ]
    assert len(spans_of(miss, "db")) == 1 and miss.response_ms > simulate(f, "slow").response_ms


def test_parallel_calls_lower_the_response_time() -> None:
    f = flow(
        [
            node("api", "backend", 4.0),
            node("users", "backend", 40.0),
            node("orders", "backend", 60.0),
            node("db", "postgresql", 20.0),
        ],
        [
            edge("api", "users", operation="GET /users/1", step=0),
            edge("api", "orders", operation="GET /orders", step=1),
            edge("orders", "db", operation="SELECT * FROM orders"),
        ],
    )
    o = offer(f, "success", "run-in-parallel")
    assert o.target.edges == ["api-users", "api-orders"] and o.finding_id == "sequential-calls"
    fixed, before, after = rerun(f, o, "success")
    assert before.response_ms == 124.0 and after.response_ms == 84.0  # sum of the two → the slowest
    assert {e.step for e in fixed.edges if e.source == "api"} == {0}


def test_parallel_calls_lower_a_built_in_that_calls_in_turn() -> None:
    f = get_template("graphql-federation")
    o = offer(f, "slow", "run-in-parallel")
    _, before, after = rerun(f, o, "slow")
    assert after.response_ms < before.response_ms


def test_parallel_is_not_offered_where_calls_already_run_together_or_depend_on_a_write() -> None:
    assert not [
        o for o in offers(get_template("api-gateway-microservices"), "slow") if o.fix_id == "run-in-parallel"
    ]
    f = flow(
        [node("api", "backend", 4.0), node("pay", "backend", 40.0), node("ship", "backend", 60.0)],
        [
            edge("api", "pay", operation="POST /charges", step=0),
            edge("api", "ship", operation="GET /rates", step=1),
        ],
    )
    assert not [o for o in offers(f, "success") if o.fix_id == "run-in-parallel"]


def test_a_queue_takes_the_work_off_the_response() -> None:
    f = get_template("product-analytics")
    o = offer(f, "slow", "move-behind-queue", ["backend-mixpanel"])
    fixed, before, after = rerun(f, o, "slow")
    assert after.response_ms < before.response_ms - 2000
    (track,) = [s for s in after.spans if s.edge_id == "backend-mixpanel"]  # the edge now leaves the queue
    assert track.kind == "consumer" and track.end_ms > after.response_ms  # after the response
    assert any(n.component == "sqs" for n in fixed.nodes)
    failing = simulate(fixed, "error")
    (lost,) = [s for s in failing.spans if s.edge_id == "backend-mixpanel"]
    queue = next(s for s in failing.spans if s.node_id != "mixpanel" and s.span_id == lost.parent_id)
    assert failing.status == "ok" and lost.status == "error" and queue.component == "sqs"


def test_a_read_replica_keeps_reads_up_and_a_slow_query_slow() -> None:
    f = get_template("simple")
    o = offer(f, "error", "read-replica", ["be-db"])
    fixed, before, after = rerun(f, o, "error")
    assert before.status == "error" and after.status == "ok"
    replica = next(n for n in fixed.nodes if n.id != "db" and n.component == "postgresql")
    assert spans_of(after, replica.id) and spans_of(after, "db") == []
    assert simulate(fixed, "slow").response_ms == simulate(f, "slow").response_ms


def test_an_idempotency_check_runs_before_the_write_and_skips_a_duplicate() -> None:
    f = get_template("stripe-api")
    o = offer(f, "success", "idempotency-check", ["api-stripe"])
    fixed, before, after = rerun(f, o, "success")
    keys = next(n for n in fixed.nodes if n.component == "redis")
    (check,) = spans_of(after, keys.id)
    (charge,) = spans_of(after, "stripe")
    assert "NX" in check.operation and check.end_ms <= charge.start_ms
    assert after.response_ms == pytest.approx(before.response_ms + 1.0)
    duplicate = simulate(fixed, "duplicate")
    assert spans_of(duplicate, "stripe") == [] and spans_of(duplicate, keys.id)
    assert fixed.variants["duplicate"].findings


# -- bad targets ----------------------------------------------------------------------------------------


def test_bad_fix_ids_and_targets_say_what_is_wrong() -> None:
    f = get_template("simple")
    with pytest.raises(NotFoundError, match="unknown fix 'magic'"):
        apply_fix(f, "magic", FixTarget(edges=["be-db"]))
    with pytest.raises(FlowError, match="edge 'nope' is not in the flow") as exc:
        apply_fix(f, "add-timeout", FixTarget(edges=["nope"]))
    assert exc.value.problems[0].loc == "target.edges[0]"
    with pytest.raises(FlowError, match="needs 2 edges"):
        apply_fix(f, "run-in-parallel", FixTarget(edges=["be-db"]))
    with pytest.raises(FlowError, match="fail in no variant"):
        apply_fix(get_template("redis-cache"), "circuit-breaker", FixTarget(edges=["fe-be"]))
    with pytest.raises(FlowError, match="asynchronous"):
        apply_fix(get_template("sqs-async"), "add-timeout", FixTarget(edges=[_async_edge("sqs-async")]))
    with pytest.raises(FlowError, match="does not write"):
        apply_fix(f, "idempotency-check", FixTarget(edges=["be-db"]))


def _async_edge(template: str) -> str:
    f = get_template(template)
    return next(e.id for e in f.edges if edge_mode(e, f.node_map()) == "async")
