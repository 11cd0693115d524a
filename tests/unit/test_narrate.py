"""narrate(trace, flow): the request hop by hop, in time order, with the scenario's findings attached."""

from __future__ import annotations

from tests.unit.flowkit import edge, flow, node
from traceplay.domain.narrate import Step, narrate
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace
from traceplay.templates import get_template


def story(template: str, variant: str, with_flow: bool = True) -> tuple[Trace, list[Step]]:
    f = get_template(template)
    trace = simulate(f, variant)
    return trace, narrate(trace, f if with_flow else None)


def test_a_database_timeout_told_hop_by_hop() -> None:
    trace, steps = story("simple", "error")
    assert [(s.kind, s.from_node, s.to_node) for s in steps] == [
        ("request", None, "frontend"),
        ("call", "frontend", "backend"),
        ("call", "backend", "db"),
        ("timeout", "db", "backend"),
        ("error", "backend", "frontend"),
        ("response", "frontend", None),
    ]
    db = next(s for s in trace.spans if s.node_id == "db")
    timeout = steps[3]
    assert timeout.t_ms == db.end_ms and timeout.span_id == db.span_id and timeout.edge_id == "be-db"
    assert (
        timeout.text
        == "Backend gives up on PostgreSQL after 3.00 s: no response (connection pool exhausted)."
    )
    assert steps[-1].text.startswith("Frontend has its response after 3.10 s: an error — ")
    assert [s.index for s in steps] == list(range(len(steps)))
    assert [s.status for s in steps] == ["ok", "ok", "ok", "error", "error", "error"]


def test_authored_findings_land_on_the_step_they_explain() -> None:
    _, steps = story("simple", "error")
    notes = {n.title: s.kind for s in steps for n in s.notes}
    assert notes["The error starts in PostgreSQL"] == "timeout"
    assert len(notes) == len(get_template("simple").variants["error"].findings)  # each exactly once
    _, bare = story("simple", "error", with_flow=False)
    assert all(s.notes == [] for s in bare)


def test_async_work_after_the_response() -> None:
    _, steps = story("kafka-fanout", "error")
    kinds = [s.kind for s in steps]
    assert kinds.index("publish") < kinds.index("response") < kinds.index("consume")
    response = steps[kinds.index("response")]
    assert response.text.startswith("Order API sends its response after 26.0 ms: success (HTTP 202).")
    assert "3 spans end after it" in response.text
    consumes = [s for s in steps if s.kind == "consume"]
    assert len(consumes) == 3 and all(s.after_response and s.from_node == "kafka" for s in consumes)
    assert "after 20.0 ms in the queue" in consumes[0].text
    failed = next(s for s in steps if s.kind == "error")
    assert failed.node_id == "payment" and failed.after_response and "card_declined" in failed.text


def test_an_orphaned_call_and_the_caller_that_gave_up() -> None:
    _, steps = story("stripe-api", "slow")
    gave_up = next(s for s in steps if s.kind == "timeout")
    assert (
        gave_up.text == "Order API stops waiting for Stripe after 2.00 s: a timeout, though the work goes on."
    )
    last = steps[-1]
    assert last.kind == "done" and last.after_response and "nobody uses" in last.text
    assert steps.index(gave_up) < [s.kind for s in steps].index("response")


def test_a_handled_error_and_the_fallback() -> None:
    _, steps = story("redis-cache", "error")
    kinds = [s.kind for s in steps]
    assert kinds[kinds.index("error") + 1] == "handled"
    assert steps[kinds.index("handled") + 1].to_node == "db"  # the fallback read comes after


def test_retries_say_which_attempt_and_why() -> None:
    f = flow(
        [node("api", "backend", 10.0), node("dep", "external-api", 50.0)],
        [edge("api", "dep", operation="GET /rates", retries=2, retry_backoff_ms=100.0)],
        variants={
            "error": {
                "nodes": {"dep": {"status": "error", "error": "502"}},
                "edges": {"api-dep": {"fail_attempts": 1}},
            }
        },
    )
    steps = narrate(simulate(f, "error"), f)
    retry = next(s for s in steps if s.kind == "retry")
    assert retry.text == "api tries dep again (attempt 2), because dep: 502: “GET /rates”."
    assert [s.kind for s in steps] == ["request", "call", "error", "retry", "return", "response"]


def test_steps_run_in_time_order_and_cover_every_span() -> None:
    for template in ("api-gateway-microservices", "saga", "ai-agent-tools", "circuit-breaker"):
        for variant in ("success", "slow", "error"):
            trace, steps = story(template, variant)
            assert [s.t_ms for s in steps] == sorted(s.t_ms for s in steps)
            assert {s.span_id for s in steps} == {s.span_id for s in trace.spans}
            assert all(s.text.endswith(".") for s in steps)


def test_an_imported_trace_without_nodes_and_a_deep_chain() -> None:
    n = 3_000
    spans = [
        Span(
            span_id=f"{i:016x}",
            parent_id=f"{i - 1:016x}" if i else None,
            service=f"svc{i}",
            operation="op",
            kind="server",
            start_ms=float(i),
            duration_ms=float(2 * (n - i)),
        )
        for i in range(n)
    ]
    trace = Trace(trace_id="c" * 32, response_ms=2.0 * n, duration_ms=2.0 * n, status="ok", spans=spans)
    steps = narrate(trace)
    assert len(steps) == 2 * n
    assert steps[0].kind == "request" and steps[-1].kind == "response"
    assert steps[-2].text == "svc1 answers svc0 after 6.00 s."  # 2 × 2,999 ms
    assert narrate(Trace(trace_id="d" * 32, response_ms=0, duration_ms=0, status="ok", spans=[])) == []
