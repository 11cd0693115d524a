"""Retries: recorded attempts, inferred attempts, backoff, idempotency."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span
from traceplay.domain.trace import AttrValue, Span


def test_recorded_attempts_that_end_in_success() -> None:
    a = run(
        span("api", dur=1000),
        span("p1", "api", 10, 100, service="stripe", op="POST /v1/charges", component="stripe",
             status="error", error="503", attrs={"traceplay.attempt": 1}),
        span("p2", "api", 310, 100, service="stripe", op="POST /v1/charges", component="stripe",
             status="error", error="503", attrs={"traceplay.attempt": 2}),
        span("p3", "api", 610, 100, service="stripe", op="POST /v1/charges", component="stripe",
             attrs={"traceplay.attempt": 3}),
    )  # fmt: skip
    f = finding(a, "retries")
    assert f.severity == "warning" and "retried stripe twice and it worked" in f.title
    assert "3 times" in f.detail and "2 attempts failed (503)" in f.detail
    assert "600 ms" in f.detail and "60 %" in f.detail  # 600 ms between first and last start, of 1 s
    assert "200 ms of backoff" in f.detail
    assert "idempotency key" in (f.fix or "")
    assert f.span_ids == ["p1", "p2", "p3"]
    assert "after api retried stripe" in a.headline


def test_attempts_are_inferred_without_attributes_and_no_backoff_is_called_out() -> None:
    a = run(
        span("api", dur=200, status="error"),
        span("a", "api", 0, 50, service="inventory", op="GET /stock/42", status="error", error="reset"),
        span("b", "api", 50, 50, service="inventory", op="GET /stock/42", status="error", error="reset"),
    )
    f = finding(a, "retries")
    assert "in vain" in f.title and "all 2 attempts failed" in f.detail and "no backoff" in f.detail
    assert "circuit breaker" in (f.fix or "") and "idempotency" not in (f.fix or "")


def test_successful_repeats_are_not_retries() -> None:
    a = run(span("api", dur=100), span("a", "api", 0, 10, op="GET /x"), span("b", "api", 10, 10, op="GET /x"))
    assert by_rule(a, "retries") == []


def test_async_redeliveries_are_retries_too() -> None:
    a = run(
        span("api", dur=20),
        span("q", "api", 5, 5, kind="producer", follows=True),
        span(
            "w1", "q", 100, 50, service="worker", op="process", kind="consumer", follows=True, status="error"
        ),
        span("w2", "q", 1100, 50, service="worker", op="process", kind="consumer", follows=True),
    )
    f = finding(a, "retries")
    assert "got the same message twice" in f.title
    assert by_rule(a, "after_response") and all(
        x.id != "after-response-failure" for x in a.findings
    )  # the redelivery made it good


def test_queue_receive_counts_mark_redeliveries() -> None:
    def delivery(sid: str, start: float, count: int, note: str = "") -> Span:
        attrs: dict[str, AttrValue] = {"messaging.sqs.approximate_receive_count": count}
        op = f"ReceiveMessage → build{note}"
        return span(
            sid,
            "q",
            start,
            35,
            service="worker",
            op=op,
            kind="consumer",
            follows=True,
            status="error",
            attrs=attrs,
        )

    a = run(
        span("api", dur=30),
        span("q", "api", 10, 12, kind="producer", component="sqs", follows=True),
        delivery("d1", 325, 1),
        delivery("d2", 30_325, 2, " (redelivered)"),
        delivery("d3", 60_325, 3, " (redelivered)"),
    )
    f = finding(a, "retries")
    assert f.title == "worker got the same message 3 times, and failed each time"
    assert f.span_ids == ["d1", "d2", "d3"]
    wait = finding(a, "queue-wait")  # the first delivery's wait; the others wait out a visibility timeout
    assert "303 ms" in wait.title
