""" "202 is not success": failing or continuing after the response."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def _async_job(status: str = "ok", **kw: object) -> list:  # type: ignore[type-arg]
    return [
        span("api", dur=20, attrs={"http.response.status_code": 202}),
        span("sqs", "api", 10, 5, kind="producer", follows=True),
        span("worker", "sqs", 315, 400, kind="consumer", follows=True, status=status, **kw),  # type: ignore[arg-type]
    ]


def test_a_job_failing_after_a_202_is_critical() -> None:
    a = run(*_async_job("error", error="ValueError: bad csv"))
    f = finding(a, "after-response-failure")
    assert f.severity == "critical" and f.span_ids == ["worker"]
    assert "HTTP 202" in f.title and "at 715 ms" in f.detail and "bad csv" in f.detail
    assert a.severity == "critical"
    assert "but worker failed after the response" in a.headline


def test_work_after_the_response_is_reported_with_its_length() -> None:
    a = run(*_async_job())
    f = finding(a, "after-response-work")
    assert f.severity == "info" and "695 ms" in f.title  # ends at 715, response at 20
    assert f.span_ids == ["worker"]
    assert by_rule(a, "error_origin") == []


def test_a_failure_handled_inside_the_async_work_is_a_warning() -> None:
    a = run(
        span("api", dur=20),
        span("worker", "api", 30, 300, kind="consumer", follows=True),
        span("mail", "worker", 40, 100, status="error", error="550 mailbox full"),
    )
    assert finding(a, "after-response-failure").severity == "warning"


def test_nothing_after_the_response_nothing_to_say() -> None:
    a = run(span("api", dur=20), span("db", "api", 5, 10))
    assert by_rule(a, "after_response") == []


def test_orphaned_sync_work_is_named() -> None:
    a = run(
        span(
            "api",
            dur=110,
            status="error",
            error="db timed out",
            events=[(100.0, "timeout", {"target": "db"})],
        ),
        span("db", "api", 0, 900, attrs={"traceplay.orphaned": True}),
    )
    f = finding(a, "after-response-work")
    assert "It is orphaned" in f.detail and "deadlines" in (f.fix or "")
