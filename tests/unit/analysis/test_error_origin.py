"""Error origin, blast radius, handled versus propagated errors."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def test_no_error_no_origin() -> None:
    a = run(span("a", dur=10), span("b", "a", 1, 5))
    assert a.error_origin is None and by_rule(a, "error_origin") == []


def test_the_deepest_failing_span_of_the_propagated_chain_is_the_origin() -> None:
    a = run(
        span("fe", dur=300, status="error", error="500"),
        span("api", "fe", 10, 280, status="error", error="db failed"),
        span("db", "api", 20, 250, status="error", error="deadlock detected"),
        span("cache", "api", 12, 5),
    )
    assert a.error_origin == "db" and a.status == "error"
    f = finding(a, "error-origin")
    assert f.severity == "critical" and f.span_ids == ["db", "api", "fe"]
    assert "deadlock detected" in f.detail and "2 spans — api → fe" in f.detail and "300 ms" in f.detail
    assert "error started in db and propagated to fe" in a.headline


def test_a_root_that_fails_on_its_own_is_the_origin() -> None:
    a = run(span("api", dur=30, status="error", error="401 Unauthorized"), span("db", "api", 1, 5))
    assert a.error_origin == "api"
    assert "api answered with an error (401 Unauthorized)" in a.headline


def test_a_handled_error_names_its_handler_and_is_a_warning() -> None:
    a = run(
        span("fe", dur=60),
        span("api", "fe", 5, 50),
        span("redis", "api", 6, 1, status="error", error="ECONNREFUSED"),
        span("db", "api", 8, 40),
    )
    assert a.error_origin == "redis" and a.status == "ok"
    f = finding(a, "error-origin")
    assert f.severity == "warning" and "api handled it" in f.title and "ECONNREFUSED" in f.detail
    assert "although redis failed: api handled it" in a.headline


def test_a_deeper_handled_error_does_not_hide_the_one_the_caller_saw() -> None:
    a = run(
        span("fe", dur=100, status="error"),
        span("api", "fe", 1, 90, status="error"),
        span("pay", "api", 50, 30, status="error", error="card_declined"),
        span("svc", "api", 2, 40),
        span("deep", "svc", 3, 30),
        span("deeper", "deep", 4, 10, status="error", error="cache miss error"),
    )
    assert a.error_origin == "pay"
    assert "card_declined" in finding(a, "error-origin").detail
    other = finding(a, "handled-error")
    assert other.span_ids == ["deeper"] and "deep handled it" in other.title


def test_an_async_failure_is_told_by_the_after_response_rule_not_twice() -> None:
    a = run(
        span("api", dur=20),
        span("worker", "api", 50, 100, kind="consumer", follows=True, status="error", error="OOMKilled"),
    )
    assert a.error_origin == "worker"
    assert by_rule(a, "error_origin") == []
    assert finding(a, "after-response-failure").severity == "critical"


def test_handled_failures_of_the_same_call_are_grouped() -> None:
    kids = [
        span(f"img{i}", "api", 1 + i, 1, service="thumbs", op=f"GET /thumb/{i}", status="error", error="404")
        for i in range(6)
    ]
    a = run(span("api", dur=40), *kids)
    errs = by_rule(a, "error_origin")
    handled = [f for f in errs if f.id.startswith("handled-error")]
    assert len(handled) == 1 and "5 times" in handled[0].title  # the origin + 5 more of the same
