"""Queue wait on async hops."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def test_a_long_wait_in_a_broker_is_a_warning() -> None:
    a = run(
        span("api", dur=20),
        span("sqs", "api", 5, 10, kind="producer", component="sqs", follows=True),
        span("w", "sqs", 1515, 500, service="worker", kind="consumer", follows=True,
             attrs={"messaging.kafka.consumer.lag": 1200}),
    )  # fmt: skip
    f = finding(a, "queue-wait")
    assert f.severity == "warning" and f.title == "Messages wait 1.50 s in sqs for worker"
    assert "75 % of the time from hand-off to done" in f.detail and "lag of 1200 messages" in f.detail


def test_a_short_wait_is_not_worth_saying() -> None:
    a = run(
        span("api", dur=20),
        span("q", "api", 5, 10, kind="producer", component="sqs", follows=True),
        span("w", "q", 40, 500, kind="consumer", follows=True),
    )
    assert by_rule(a, "queue_wait") == []


def test_a_gap_after_a_non_broker_is_named_as_a_lag() -> None:
    a = run(
        span("app", dur=30),
        span("primary", "app", 5, 10, component="postgresql"),
        span("replica", "primary", 3215, 5, component="postgresql", kind="consumer", follows=True),
    )
    f = finding(a, "queue-wait")
    assert f.title == "replica starts 3.20 s after primary handed off" and "replication" in f.detail
