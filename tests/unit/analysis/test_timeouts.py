"""Timeouts: from the caller's event, from the callee's error, from orphaned work."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span
from tests.unit.flowkit import edge, flow, node
from traceplay.domain.analysis import analyze
from traceplay.domain.simulate import simulate


def test_a_simulated_timeout_names_caller_callee_wait_and_verdict() -> None:
    f = flow(
        [node("fe", "frontend", 10), node("api", "backend", 20), node("db", "postgresql", 40)],
        [edge("fe", "api"), edge("api", "db", timeout_ms=3000)],
        variants={"error": {"nodes": {"db": {"status": "timeout"}}}},
    )
    a = analyze(simulate(f, "error"), f)
    t = finding(a, "timeout")
    assert t.severity == "critical" and t.title == "api timed out waiting for db after 3.00 s"
    assert "The timeout failed the request" in t.detail and "99 % of the response" in t.detail  # 3000 of 3030
    assert by_rule(a, "timeouts") == [t]  # not once more for fe, whose error only passes it on


def test_a_timeout_error_without_an_event_is_found_from_its_words() -> None:
    a = run(
        span("api", dur=600),
        span("grpc", "api", 10, 500, status="error", error="DEADLINE_EXCEEDED: deadline exceeded after 0.5s"),
    )
    t = finding(a, "timeout")
    assert t.severity == "warning" and "api carried on without the answer" in t.detail


def test_orphaned_work_after_the_caller_gave_up_is_measured() -> None:
    a = run(
        span("api", dur=1010, status="error", error="db timed out after 1000 ms",
             events=[(1000.0, "timeout", {"target": "db", "timeout_ms": 1000})]),
        span("db", "api", 0, 4000, attrs={"traceplay.orphaned": True}),
    )  # fmt: skip
    t = finding(a, "timeout")
    assert "db kept working 2.99 s after its caller stopped waiting" in t.detail


def test_a_child_outliving_its_parent_without_a_word_is_clock_skew() -> None:
    a = run(span("api", dur=100), span("db", "api", 10, 95))
    assert by_rule(a, "timeouts") == []
