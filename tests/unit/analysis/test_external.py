"""A slow or failing external dependency without a timeout or a circuit breaker."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span
from tests.unit.flowkit import edge, flow, node
from traceplay.domain.analysis import analyze
from traceplay.domain.simulate import simulate


def _stripe(**edge_kw: object) -> tuple:  # type: ignore[type-arg]
    f = flow(
        [node("api", "backend", 20), node("pay", "stripe", 1800)],
        [edge("api", "pay", operation="POST /v1/charges", **edge_kw)],
    )
    return f, simulate(f)


def test_a_slow_unguarded_payment_call_is_a_warning_with_its_share() -> None:
    f, t = _stripe()
    x = finding(analyze(t, f), "external-dependency")
    assert x.severity == "warning" and "1.80 s" in x.title
    assert "sets no timeout and no circuit breaker" in x.detail and "99 % of the response" in x.detail
    assert "a timeout" in (x.fix or "") and "circuit breaker" in (x.fix or "")


def test_a_timeout_alone_still_lacks_a_breaker_both_is_fine() -> None:
    f, t = _stripe(timeout_ms=5000)
    x = finding(analyze(t, f), "external-dependency")
    assert "has a 5.00 s timeout but no circuit breaker" in x.detail and "a timeout" not in (x.fix or "")
    f2, t2 = _stripe(timeout_ms=5000, attributes={"circuit_breaker": "closed"})
    assert by_rule(analyze(t2, f2), "external_dependency") == []


def test_an_imported_client_call_without_a_callee_span_is_external() -> None:
    a = run(
        span("api", dur=2500, kind="server"),
        span("call", "api", 100, 2300, service="api", op="GET https://geo.example/v1", kind="client",
             attrs={"url.full": "https://geo.example/v1"}),
    )  # fmt: skip
    x = finding(a, "external-dependency")
    assert "The trace shows no timeout and no circuit breaker" in x.detail


def test_a_fast_healthy_external_call_is_fine() -> None:
    a = run(span("api", dur=400), span("mail", "api", 10, 120, component="email-api"))
    assert by_rule(a, "external_dependency") == []


def test_a_failed_attempt_a_retry_made_good_is_the_retries_story() -> None:
    a = run(
        span("w", dur=400),
        span("t1", "w", 0, 80, service="twilio", op="POST /msg", component="twilio", status="error",
             error="429", attrs={"traceplay.attempt": 1}),
        span("t2", "w", 200, 80, service="twilio", op="POST /msg", component="twilio",
             attrs={"traceplay.attempt": 2}),
    )  # fmt: skip
    assert by_rule(a, "external_dependency") == []
    assert finding(a, "retries")
