"""One test (or a few) per rule of the simulation semantics; each fails if its rule breaks."""

from __future__ import annotations

import itertools

import pytest

from tests.unit.flowkit import edge, flow, node
from traceplay.domain.simulate import DOWN_MS, simulate
from traceplay.domain.trace import Span, Trace
from traceplay.errors import FlowError, NotFoundError, SimulationError


def spans_of(trace: Trace, node_id: str) -> list[Span]:
    return [s for s in trace.spans if s.node_id == node_id]


def one(trace: Trace, node_id: str) -> Span:
    found = spans_of(trace, node_id)
    assert len(found) == 1, f"{node_id}: {len(found)} spans"
    return found[0]


def chain() -> list[dict[str, object]]:
    return [node("fe", "frontend", 10), node("api", "backend", 20), node("db", "postgresql", 30)]


# rule 1: roots and the entry root
def test_entry_root_starts_at_zero_and_has_no_parent() -> None:
    t = simulate(flow(chain(), [edge("fe", "api"), edge("api", "db")]))
    root = t.spans[0]
    assert root.node_id == "fe" and root.parent_id is None and root.start_ms == 0
    assert [s.parent_id is None for s in t.spans].count(True) == 1


def test_entry_can_be_chosen() -> None:
    f = flow([node("a"), node("b"), node("c")], [edge("b", "c")], entry="b")
    assert simulate(f).spans[0].node_id == "b"


def test_node_reached_only_through_edges_of_other_variants_has_no_span() -> None:
    f = flow(chain(), [edge("fe", "api"), edge("api", "db", variants=["slow"])])
    assert spans_of(simulate(f, "success"), "db") == []
    assert len(spans_of(simulate(f, "slow"), "db")) == 1


# rule 2: sync nesting and self time split around calls
def test_sync_child_nests_inside_parent_and_self_time_splits_around_calls() -> None:
    t = simulate(flow(chain(), [edge("fe", "api"), edge("api", "db")]))
    fe, api, db = one(t, "fe"), one(t, "api"), one(t, "db")
    assert api.parent_id == fe.span_id and db.parent_id == api.span_id
    assert api.start_ms == 5 and db.start_ms == 5 + 10  # half of each self time before the call
    assert db.duration_ms == 30 and api.duration_ms == 50 and fe.duration_ms == 60
    assert t.response_ms == 60 == t.duration_ms
    for parent, child in ((fe, api), (api, db)):
        assert parent.start_ms <= child.start_ms and child.end_ms <= parent.end_ms


def test_leaf_does_self_time_only() -> None:
    t = simulate(flow([node("only", latency=42)], []))
    assert len(t.spans) == 1 and t.response_ms == 42


def test_catalogue_default_latency_when_node_has_none() -> None:
    t = simulate(flow([node("r", "redis", latency=None)], []))
    assert t.response_ms == 2  # the catalogue's Redis self time


# rule 3: steps
def test_steps_run_in_order_and_a_step_shares_its_start() -> None:
    nodes = [node("api", latency=0), node("a", latency=10), node("b", latency=30), node("c", latency=5)]
    edges = [edge("api", "a", step=0), edge("api", "b", step=0), edge("api", "c", step=1)]
    t = simulate(flow(nodes, edges))
    a, b, c = one(t, "a"), one(t, "b"), one(t, "c")
    assert a.start_ms == b.start_ms == 0
    assert c.start_ms == max(a.end_ms, b.end_ms) == 30
    assert t.response_ms == 35


def test_sequential_steps_add_up() -> None:
    nodes = [node("api", latency=0), node("a", latency=10), node("b", latency=30)]
    t = simulate(flow(nodes, [edge("api", "a", step=0), edge("api", "b", step=1)]))
    assert t.response_ms == 40


# rule 4: async
def test_async_consumer_does_not_block_and_follows_from_the_publish() -> None:
    nodes = [node("api", latency=20), node("q", "sqs", latency=4), node("w", "worker", latency=500)]
    t = simulate(flow(nodes, [edge("api", "q"), edge("q", "w", delay_ms=100)]))
    api, q, w = one(t, "api"), one(t, "q"), one(t, "w")
    assert t.response_ms == 20  # neither the publish nor the worker is waited for
    assert q.kind == "producer" and w.kind == "consumer"
    assert q.links[0].type == "follows_from" and q.links[0].span_id == api.span_id
    assert w.links[0].span_id == q.span_id
    assert w.start_ms == q.end_ms + 100  # a broker hands off after its own work, then the queue wait
    assert t.duration_ms == w.end_ms > t.response_ms


def test_async_failure_does_not_fail_the_caller() -> None:
    nodes = [node("api"), node("q", "sqs"), node("w", "worker")]
    f = flow(
        nodes,
        [edge("api", "q"), edge("q", "w")],
        variants={"error": {"nodes": {"w": {"status": "error", "error": "boom"}}}},
    )
    t = simulate(f, "error")
    assert t.status == "ok" and one(t, "w").status == "error"


# rule 5: repeat and retries
def test_repeat_makes_sequential_calls() -> None:
    nodes = [node("api", latency=0), node("db", "postgresql", latency=7)]
    t = simulate(flow(nodes, [edge("api", "db", repeat=5)]))
    dbs = spans_of(t, "db")
    assert len(dbs) == 5
    assert [s.start_ms for s in dbs] == [0, 7, 14, 21, 28]
    assert [s.attributes["traceplay.repeat"] for s in dbs] == [1, 2, 3, 4, 5]
    assert t.response_ms == 35


def test_retries_make_one_span_per_attempt_and_stop_when_one_succeeds() -> None:
    nodes = [node("api", latency=0), node("pay", "stripe", latency=100)]
    f = flow(
        nodes,
        [edge("api", "pay", retries=3, retry_backoff_ms=50)],
        variants={
            "slow": {"nodes": {"pay": {"status": "error"}}, "edges": {"api-pay": {"fail_attempts": 2}}}
        },
    )
    t = simulate(f, "slow")
    attempts = spans_of(t, "pay")
    assert [s.status for s in attempts] == ["error", "error", "ok"]
    assert [s.attributes["traceplay.attempt"] for s in attempts] == [1, 2, 3]
    assert attempts[1].start_ms == attempts[0].end_ms + 50
    assert t.status == "ok" and t.response_ms == 3 * 100 + 2 * 50
    assert [e.name for e in t.spans[0].events].count("retry") == 2


def test_retries_exhausted_fail_the_call() -> None:
    nodes = [node("api", latency=0), node("db", "postgresql")]
    f = flow(nodes, [edge("api", "db", retries=2)], variants={"error": {"nodes": {"db": {"status": "down"}}}})
    t = simulate(f, "error")
    assert len(spans_of(t, "db")) == 3 and t.status == "error"


# rule 6: down, timeout, error, propagation, handled, skip
def test_down_fails_fast() -> None:
    f = flow(
        chain(),
        [edge("fe", "api"), edge("api", "db")],
        variants={"error": {"nodes": {"db": {"status": "down"}}}},
    )
    t = simulate(f, "error")
    db = one(t, "db")
    assert db.status == "error" and db.duration_ms == DOWN_MS and "refused" in (db.error or "")
    assert t.status == "error" and t.response_ms == 10 + 20 + DOWN_MS


def test_timeout_hangs_until_the_callers_timeout() -> None:
    f = flow(
        chain(),
        [edge("fe", "api"), edge("api", "db", timeout_ms=500)],
        variants={"error": {"nodes": {"db": {"status": "timeout"}}}},
    )
    t = simulate(f, "error")
    db, api = one(t, "db"), one(t, "api")
    assert db.duration_ms == 500 and db.status == "error"
    assert api.status == "error" and "timed out after 500 ms" in (api.error or "")
    assert any(e.name == "timeout" for e in api.events)
    assert t.response_ms == 10 + 20 + 500


def test_timeout_without_a_limit_uses_the_flow_default() -> None:
    f = flow(
        chain(),
        [edge("fe", "api"), edge("api", "db")],
        default_timeout_ms=2000,
        variants={"error": {"nodes": {"db": {"status": "timeout"}}}},
    )
    assert one(simulate(f, "error"), "db").duration_ms == 2000


def test_timeout_cuts_the_wait_and_the_orphaned_child_goes_on() -> None:
    f = flow(
        chain(),
        [edge("fe", "api"), edge("api", "db", timeout_ms=100)],
        variants={"slow": {"nodes": {"db": {"latency_ms": 900}}}},
    )
    t = simulate(f, "slow")
    api, db = one(t, "api"), one(t, "db")
    assert db.duration_ms == 900 and db.attributes.get("traceplay.orphaned") is True
    assert api.status == "error" and api.duration_ms == 120
    assert db.end_ms > api.end_ms  # the child outlives its caller
    assert t.duration_ms > t.response_ms


def test_error_propagates_and_stops_later_steps() -> None:
    nodes = [node("api", latency=0), node("pay", "stripe"), node("db", "postgresql")]
    f = flow(
        nodes,
        [edge("api", "pay", step=0), edge("api", "db", step=1)],
        variants={"error": {"nodes": {"pay": {"status": "error", "error": "card_declined"}}}},
    )
    t = simulate(f, "error")
    assert spans_of(t, "db") == []
    assert t.status == "error" and "card_declined" in (t.spans[0].error or "")


def test_handled_error_leaves_the_caller_ok_and_goes_on() -> None:
    nodes = [node("api", latency=0), node("cache", "redis"), node("db", "postgresql")]
    f = flow(
        nodes,
        [edge("api", "cache", step=0, on_error="handled"), edge("api", "db", step=1)],
        variants={"error": {"nodes": {"cache": {"status": "down"}}}},
    )
    t = simulate(f, "error")
    assert one(t, "cache").status == "error" and one(t, "db").status == "ok"
    assert t.status == "ok" and any(e.name == "error handled" for e in t.spans[0].events)


def test_error_node_fails_before_its_calls_unless_fail_at_end() -> None:
    nodes = [node("api"), node("db", "postgresql")]
    base = [edge("api", "db")]
    start = flow(nodes, base, variants={"error": {"nodes": {"api": {"status": "error"}}}})
    end = flow(nodes, base, variants={"error": {"nodes": {"api": {"status": "error", "fail_at": "end"}}}})
    assert spans_of(simulate(start, "error"), "db") == []
    t = simulate(end, "error")
    assert len(spans_of(t, "db")) == 1 and t.status == "error"


def test_skipped_nodes_and_edges_have_no_span() -> None:
    nodes = [node("api"), node("cb", "external-api"), node("db", "postgresql")]
    f = flow(
        nodes,
        [edge("api", "cb"), edge("api", "db", step=1)],
        variants={"error": {"nodes": {"cb": {"skip": True}}, "edges": {"api-db": {"skip": True}}}},
    )
    t = simulate(f, "error")
    assert [s.node_id for s in t.spans] == ["api"]


# rule 7: determinism and jitter
def test_same_input_same_trace_and_jitter_only_with_a_seed() -> None:
    f = flow(chain(), [edge("fe", "api"), edge("api", "db")])
    assert simulate(f) == simulate(f)
    assert simulate(f, seed=7) == simulate(f, seed=7)
    assert simulate(f, seed=7).response_ms != simulate(f).response_ms
    assert simulate(f, seed=7).trace_id != simulate(f, seed=8).trace_id


# rule 8: loops through repeat
def test_loop_closed_by_a_repeat_edge_calls_the_ancestor_as_a_leaf() -> None:
    nodes = [node("agent", latency=10), node("llm", "llm-api", latency=100)]
    f = flow(nodes, [edge("agent", "llm"), edge("llm", "agent", repeat=2)])
    t = simulate(f)
    agents = spans_of(t, "agent")
    assert len(agents) == 3 and agents[1].parent_id == one(t, "llm").span_id


# faults and generated variants
def test_faults_apply_to_any_node() -> None:
    f = flow(chain(), [edge("fe", "api"), edge("api", "db")])
    assert simulate(f, faults={"db": "slow"}).response_ms == 10 + 20 + 1030
    assert simulate(f, faults={"db": "down"}).status == "error"
    assert simulate(f, faults={"api": "error"}).spans[1].error == "injected error"
    with pytest.raises(NotFoundError, match="unknown node 'nope'"):
        simulate(f, faults={"nope": "down"})
    with pytest.raises(NotFoundError, match="unknown fault 'melt'"):
        simulate(f, faults={"db": "melt"})


def test_generated_slow_and_error_strike_the_deepest_sync_dependency() -> None:
    f = flow(chain(), [edge("fe", "api"), edge("api", "db")])
    assert one(simulate(f, "slow"), "db").duration_ms == 1030
    err = simulate(f, "error")
    assert one(err, "db").status == "error" and err.status == "error"


def test_generated_variants_use_the_chosen_fault_node() -> None:
    f = flow(chain(), [edge("fe", "api"), edge("api", "db")], fault_node="api")
    assert one(simulate(f, "error"), "api").status == "error"


def test_unknown_variant_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError, match="unknown variant 'fast'"):
        simulate(flow(chain(), []), "fast")


def test_span_budget_is_enforced() -> None:
    nodes = [node("a", latency=0), node("b", latency=0), node("c", latency=0)]
    f = flow(nodes, [edge("a", "b", repeat=100), edge("b", "c", repeat=100)])
    with pytest.raises(SimulationError, match="more than 1,000 spans"):
        simulate(f, max_spans=1000)


def test_deep_chain_of_100k_nodes_does_not_recurse() -> None:
    n = 100_000
    nodes = [node(f"n{i}", latency=1) for i in range(n)]
    edges = [edge(f"n{i}", f"n{i + 1}") for i in range(n - 1)]
    t = simulate(flow(nodes, edges))
    assert len(t.spans) == n and t.response_ms == pytest.approx(n)
    assert sum(1 for _ in t.walk()) == n


def test_node_then_edge_attributes_land_on_the_span() -> None:
    nodes = [node("api", latency=0), node("db", "postgresql", attributes={"db.name": "users"})]
    f = flow(
        nodes,
        [edge("api", "db", attributes={"db.operation.name": "SELECT"})],
        variants={"slow": {"edges": {"api-db": {"attributes": {"db.rows": 9}}}}},
    )
    db = one(simulate(f, "slow"), "db")
    assert db.attributes["db.system.name"] == "postgresql"  # from the catalogue
    assert db.attributes["db.name"] == "users" and db.attributes["db.operation.name"] == "SELECT"
    assert db.attributes["db.rows"] == 9


@pytest.mark.parametrize(("placement", "child_start"), [("before", 20), ("after", 0), ("around", 10)])
def test_self_time_placement(placement: str, child_start: float) -> None:
    f = flow(
        [node("waf", "waf", latency=20, self_time=placement), node("api", latency=5)], [edge("waf", "api")]
    )
    assert one(simulate(f), "api").start_ms == child_start


def test_an_edge_can_narrow_the_callees_calls() -> None:
    nodes = [node("saga", latency=0), node("pay", latency=10), node("stripe", "stripe", latency=100)]
    edges = [
        edge("saga", "pay", id="charge", calls=["pay-charge"]),
        edge("saga", "pay", id="refund", step=1, calls=["pay-refund"]),
        edge("pay", "stripe", id="pay-charge", operation="POST /charges"),
        edge("pay", "stripe", id="pay-refund", operation="POST /refunds"),
    ]
    t = simulate(flow(nodes, edges))
    assert [s.operation for s in spans_of(t, "stripe")] == ["POST /charges", "POST /refunds"]


def test_calls_must_leave_the_callee() -> None:
    with pytest.raises(FlowError, match="'x' is not an edge out of 'b'"):
        flow([node("a"), node("b")], [edge("a", "b", calls=["x"])])


def test_exponential_backoff() -> None:
    nodes = [node("api", latency=0), node("db", "postgresql", latency=1)]
    f = flow(
        nodes,
        [edge("api", "db", retries=3, retry_backoff_ms=100, retry_backoff_multiplier=2)],
        variants={"error": {"nodes": {"db": {"status": "down"}}}},
    )
    starts = [s.start_ms for s in spans_of(simulate(f, "error"), "db")]
    assert [b - a for a, b in itertools.pairwise(starts)] == [101, 201, 401]


def test_a_retry_that_gets_through_runs_at_the_usual_latency() -> None:
    nodes = [node("api", latency=0), node("auth", latency=900)]
    f = flow(
        nodes,
        [edge("api", "auth", retries=1)],
        variants={
            "slow": {
                "nodes": {"auth": {"status": "error", "latency_ms": 30, "error": "429"}},
                "edges": {"api-auth": {"fail_attempts": 1}},
            }
        },
    )
    assert [s.duration_ms for s in spans_of(simulate(f, "slow"), "auth")] == [30, 900]


def test_async_call_into_a_service_is_not_a_consumer() -> None:
    nodes = [node("web", "frontend"), node("mix", "analytics")]
    t = simulate(flow(nodes, [edge("web", "mix", mode="async")]))
    assert one(t, "mix").kind == "client" and one(t, "mix").links
