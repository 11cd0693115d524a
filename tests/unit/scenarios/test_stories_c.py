"""Stories of the infra, messaging, AWS and security scenarios of batch c.

Each variant's story is checked structurally (Story), and where the point of the story is a relation
between spans — a redelivery after a crash, a compensation after a failure, a gap before a cold
function — a small extra check states it.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest

from tests.unit.scenarios.story import S, Story, check_story
from traceplay.domain.trace import Span, Trace

STORIES = {
    # feature-flag-rollout: the flag decides the route; without the flag service the safe default wins
    ("feature-flag-rollout", "success"): Story(spans=S("frontend", "api", "flags", "v2"), no_spans=S("v1")),
    ("feature-flag-rollout", "slow"): Story(spans=S("flags", "v2"), no_spans=S("v1")),
    ("feature-flag-rollout", "error"): Story(
        failing=S("flags"), origin="flags", spans=S("v1"), no_spans=S("v2")
    ),
    # rabbitmq-work-queue: competing consumers, each message to ONE worker
    ("rabbitmq-work-queue", "success"): Story(
        counts={"mq": 1, "w1": 1, "w2": 1, "w3": 1},
        parallel=S("w1", "w2", "w3"),
        after_response=S("w1", "w2", "w3"),
    ),
    ("rabbitmq-work-queue", "slow"): Story(counts={"w1": 3, "w2": 1, "w3": 2}, after_response=S("w2")),
    ("rabbitmq-work-queue", "error"): Story(
        failing=S("w2"), origin="w2", counts={"w1": 1, "w2": 1, "w3": 2}, after_response=S("w3")
    ),
    # pubsub-multi-region: every region gets every event; a failing region is retried alone
    ("pubsub-multi-region", "success"): Story(
        counts={"us": 1, "eu": 1, "asia": 1}, after_response=S("us", "eu", "asia")
    ),
    ("pubsub-multi-region", "slow"): Story(counts={"us": 1, "eu": 1, "asia": 1}, after_response=S("asia")),
    ("pubsub-multi-region", "error"): Story(
        failing=S("asia"), origin="asia", counts={"us": 1, "eu": 1, "asia": 3}, after_response=S("asia")
    ),
    # sms-twilio: the SMS is sent after the response; 429s are retried, a 400 is recorded, not retried
    ("sms-twilio", "success"): Story(
        spans=S("worker", "twilio", "db"), after_response=S("worker", "twilio", "db")
    ),
    ("sms-twilio", "slow"): Story(
        failing=S("twilio"), counts={"twilio": 3, "db": 1}, after_response=S("twilio")
    ),
    ("sms-twilio", "error"): Story(
        failing=S("twilio"), origin="twilio", counts={"twilio": 1, "db": 1}, after_response=S("db")
    ),
    # product-analytics: both sides emit; the server-side call blocks; an outage loses both events
    ("product-analytics", "success"): Story(spans=S("frontend", "backend"), counts={"mixpanel": 2}),
    ("product-analytics", "slow"): Story(counts={"mixpanel": 2}),
    ("product-analytics", "error"): Story(failing=S("mixpanel"), origin="mixpanel", counts={"mixpanel": 2}),
    # lambda-api-gateway: warm, cold, throttled (the function never runs)
    ("lambda-api-gateway", "success"): Story(spans=S("mobile", "apigw", "lambda", "ddb")),
    ("lambda-api-gateway", "slow"): Story(spans=S("lambda", "ddb")),
    ("lambda-api-gateway", "error"): Story(
        status="error", failing=S("lambda", "apigw", "mobile"), origin="lambda", no_spans=S("ddb")
    ),
    # s3-event-lambda: 200 on upload, processing after the response, DLQ after three failed attempts
    ("s3-event-lambda", "success"): Story(
        after_response=S("events", "lambda", "ddb"), counts={"events": 1, "lambda": 1}, no_spans=S("dlq")
    ),
    ("s3-event-lambda", "slow"): Story(after_response=S("lambda", "ddb"), no_spans=S("dlq")),
    ("s3-event-lambda", "error"): Story(
        failing=S("lambda"),
        origin="lambda",
        counts={"events": 1, "lambda": 3, "dlq": 1},
        no_spans=S("ddb"),
        after_response=S("lambda", "dlq"),
    ),
    # step-functions-saga: sequential tasks, a retried timeout, a compensation in the Catch
    ("step-functions-saga", "success"): Story(
        counts={"payment": 1, "stripe": 1, "inventory": 1, "shipping": 1}
    ),
    ("step-functions-saga", "slow"): Story(
        failing=S("payment"),
        origin="payment",
        counts={"payment": 2, "stripe": 1, "inventory": 1, "shipping": 1},
    ),
    ("step-functions-saga", "error"): Story(
        failing=S("inventory", "sfn"),
        origin="inventory",
        counts={"payment": 2, "stripe": 2, "inventory": 1},
        no_spans=S("shipping"),
    ),
    # eventbridge-routing: one event, three targets in parallel, failures isolated per target
    ("eventbridge-routing", "success"): Story(
        parallel=S("events", "sqs", "sns"), after_response=S("lambda", "sqs", "sns"), no_spans=S("dlq")
    ),
    ("eventbridge-routing", "slow"): Story(
        counts={"lambda": 1, "sqs": 1, "sns": 1}, after_response=S("lambda"), no_spans=S("dlq")
    ),
    ("eventbridge-routing", "error"): Story(
        failing=S("lambda"),
        origin="lambda",
        counts={"events": 1, "lambda": 3, "sqs": 1, "sns": 1, "dlq": 1},
        after_response=S("lambda", "dlq"),
    ),
    # dynamodb-single-table: one query; throttled then served; throttled to a 500
    ("dynamodb-single-table", "success"): Story(counts={"ddb": 1}),
    ("dynamodb-single-table", "slow"): Story(failing=S("ddb"), origin="ddb", counts={"ddb": 3}),
    ("dynamodb-single-table", "error"): Story(
        status="error", failing=S("ddb", "lambda", "mobile"), origin="ddb", counts={"ddb": 3}
    ),
    # rate-limiting: the limiter runs first; a 429 never reaches the database
    ("rate-limiting", "success"): Story(spans=S("redis", "db")),
    ("rate-limiting", "slow"): Story(spans=S("redis", "db")),
    ("rate-limiting", "error"): Story(
        status="error", failing=S("api", "client"), origin="api", spans=S("redis"), no_spans=S("db")
    ),
}


def spans_of(trace: Trace, node_id: str) -> list[Span]:
    return sorted((s for s in trace.spans if s.node_id == node_id), key=lambda s: s.start_ms)


def all_ok(trace: Trace, *node_ids: str) -> None:
    for nid in node_ids:
        bad = [s.operation for s in spans_of(trace, nid) if s.status != "ok"]
        assert not bad, f"{nid} should not fail: {bad}"


def handled_on(span: Span) -> bool:
    return any(e.name == "error handled" for e in span.events)


def flag_fallback(trace: Trace) -> None:
    (api,) = spans_of(trace, "api")
    assert api.status == "ok" and handled_on(api), "the API handles the flag error and carries on"
    assert api.attributes["feature_flag.result.variant"] == "v1"


def flag_blocks(trace: Trace) -> None:
    (flags,) = spans_of(trace, "flags")
    (v2,) = spans_of(trace, "v2")
    assert flags.duration_ms >= 1500 and v2.start_ms >= flags.end_ms, "v2 waits for the 1.5 s evaluation"


def one_worker_per_message(trace: Trace) -> None:
    (mq,) = spans_of(trace, "mq")
    done = [s for w in ("w1", "w2", "w3") for s in spans_of(trace, w) if s.status == "ok"]
    assert len(done) == mq.attributes["messaging.batch.message_count"], "each message is done by one worker"


def requeued_after_crash(trace: Trace) -> None:
    (crashed,) = spans_of(trace, "w2")
    own, redelivered = spans_of(trace, "w3")
    assert redelivered.edge_id == "mq-w3-redeliver" and redelivered.status == "ok"
    assert redelivered.start_ms >= crashed.end_ms, "the broker requeues only after the crash"
    assert redelivered.attributes["messaging.redelivered"] is True, "the broker flags the second delivery"
    assert "messaging.redelivered" not in own.attributes
    one_worker_per_message(trace)


def asia_late_only(trace: Trace) -> None:
    (asia,) = spans_of(trace, "asia")
    assert asia.start_ms > 2000
    assert all(s.end_ms < 200 for s in spans_of(trace, "us") + spans_of(trace, "eu"))


def asia_retried_until_delivered(trace: Trace) -> None:
    attempts = spans_of(trace, "asia")
    assert [s.status for s in attempts] == ["error", "error", "ok"]
    # each redelivery waits the backoff (10 s, doubling) plus the 150 ms trip to asia-northeast1
    assert [b.start_ms - a.end_ms for a, b in pairwise(attempts)] == [10_150, 20_150]
    all_ok(trace, "us", "eu")


def sms_rate_limited(trace: Trace) -> None:
    attempts = spans_of(trace, "twilio")
    assert [s.status for s in attempts] == ["error", "error", "ok"]
    assert [s.duration_ms for s in attempts] == [80, 80, 250], "fast 429s, then a normal send"
    assert [b.start_ms - a.end_ms for a, b in pairwise(attempts)] == [1000, 2000], "exponential backoff"
    (worker,) = spans_of(trace, "worker")
    assert worker.status == "ok" and worker.start_ms >= 3000, "the message waited in the queue"


def sms_marked_failed(trace: Trace) -> None:
    (db,) = spans_of(trace, "db")
    (worker,) = spans_of(trace, "worker")
    assert db.edge_id == "worker-db-failed" and worker.status == "ok" and handled_on(worker)


def analytics_blocks_backend(trace: Trace) -> None:
    (backend,) = spans_of(trace, "backend")
    server_track = next(s for s in spans_of(trace, "mixpanel") if s.edge_id == "backend-mixpanel")
    assert server_track.duration_ms >= 2000 and backend.start_ms < server_track.start_ms < backend.end_ms
    assert server_track.start_ms - backend.start_ms == 120, "the order is placed first, then tracked"
    assert server_track.end_ms == backend.end_ms, "the response waits for the analytics call"


def two_sources(trace: Trace) -> None:
    hosts = {s.edge_id: s.attributes["server.address"] for s in spans_of(trace, "mixpanel")}
    assert hosts == {"fe-mixpanel": "api-js.mixpanel.com", "backend-mixpanel": "api.mixpanel.com"}
    beacon = next(s for s in spans_of(trace, "mixpanel") if s.edge_id == "fe-mixpanel")
    assert beacon.kind == "client" and [link.type for link in beacon.links] == ["follows_from"]


def analytics_lost(trace: Trace) -> None:
    (backend,) = spans_of(trace, "backend")
    assert backend.status == "ok" and handled_on(backend), "the purchase succeeds without its events"
    assert all(s.status == "error" for s in spans_of(trace, "mixpanel"))


def cold_start_gap(trace: Trace) -> None:
    (apigw,) = spans_of(trace, "apigw")
    (fn,) = spans_of(trace, "lambda")
    assert fn.start_ms - apigw.start_ms >= 2000 and fn.attributes["faas.coldstart"] is True


def event_after_upload(trace: Trace) -> None:
    (s3,) = spans_of(trace, "s3")
    (events,) = spans_of(trace, "events")
    assert events.start_ms >= s3.end_ms, "S3 emits ObjectCreated once the object is stored"
    assert [link.type for link in events.links] == ["follows_from"]


def big_file_processing(trace: Trace) -> None:
    (fn,) = spans_of(trace, "lambda")
    assert 4000 <= fn.duration_ms <= 5000 and fn.start_ms > trace.response_ms
    (s3,) = spans_of(trace, "s3")
    assert s3.duration_ms == 1800, "the 50 MB upload is S3's span"
    event_after_upload(trace)


def dlq_after_last_attempt(trace: Trace) -> None:
    (dlq,) = spans_of(trace, "dlq")
    (events,) = spans_of(trace, "events")
    attempts = spans_of(trace, "lambda")
    assert dlq.start_ms >= attempts[-1].end_ms, "the event is dead-lettered after the last attempt"
    assert dlq.parent_id == events.span_id, "the Lambda service, not the function, dead-letters the event"
    gaps = [b.start_ms - a.end_ms for a, b in pairwise(attempts)]
    assert gaps == [60_000, 120_000], "Lambda's async retries: one minute, then two"


def saga_in_order(trace: Trace) -> None:
    (pay,), (inv,), (ship,) = (spans_of(trace, n) for n in ("payment", "inventory", "shipping"))
    assert pay.end_ms <= inv.start_ms and inv.end_ms <= ship.start_ms
    (stripe,) = spans_of(trace, "stripe")
    assert stripe.parent_id == pay.span_id and stripe.edge_id == "charge"


def saga_retry_succeeds(trace: Trace) -> None:
    first, second = spans_of(trace, "payment")
    assert (first.status, second.status) == ("error", "ok")
    assert second.start_ms >= first.end_ms + 1000, "the Retry policy waits IntervalSeconds"
    (sfn,) = spans_of(trace, "sfn")
    assert sfn.status == "ok"
    (stripe,) = spans_of(trace, "stripe")
    assert stripe.parent_id == second.span_id, "only the attempt that got through reached Stripe"
    assert second.duration_ms == 450, "the retry runs at the usual pace"


def saga_compensates(trace: Trace) -> None:
    (inv,) = spans_of(trace, "inventory")
    charge, refund = spans_of(trace, "payment")
    assert charge.edge_id == "sfn-payment" and refund.edge_id == "sfn-refund"
    assert refund.status == "ok" and refund.start_ms >= inv.end_ms, (
        "the Catch runs the refund after the failure"
    )
    stripe = {s.parent_id: s for s in spans_of(trace, "stripe")}
    assert stripe[charge.span_id].operation.startswith("POST /v1/payment_intents")
    assert stripe[refund.span_id].operation == "POST /v1/refunds", "the refund invocation refunds"
    (api,) = spans_of(trace, "api")
    assert api.attributes["http.response.status_code"] == 409


def targets_isolated(trace: Trace) -> None:
    all_ok(trace, "sqs", "sns")
    dlq_after_last_attempt(trace)


def throttled_then_served(trace: Trace) -> None:
    attempts = spans_of(trace, "ddb")
    assert [s.status for s in attempts] == ["error", "error", "ok"]
    assert [b.start_ms - a.end_ms for a, b in pairwise(attempts)] == [300, 600], "exponential backoff"
    assert attempts[-1].duration_ms == 18, "the query that gets through takes its usual time"
    assert "aws.dynamodb.count" not in attempts[0].attributes, "a throttled query returns no items"


def rejected_cheaply(trace: Trace) -> None:
    all_ok(trace, "redis")
    (api,) = spans_of(trace, "api")
    assert api.attributes["http.response.status_code"] == 429


EXTRA: dict[tuple[str, str], Callable[[Trace], None]] = {
    ("feature-flag-rollout", "slow"): flag_blocks,
    ("feature-flag-rollout", "error"): flag_fallback,
    ("rabbitmq-work-queue", "success"): one_worker_per_message,
    ("rabbitmq-work-queue", "slow"): one_worker_per_message,
    ("rabbitmq-work-queue", "error"): requeued_after_crash,
    ("pubsub-multi-region", "slow"): asia_late_only,
    ("pubsub-multi-region", "error"): asia_retried_until_delivered,
    ("sms-twilio", "slow"): sms_rate_limited,
    ("sms-twilio", "error"): sms_marked_failed,
    ("product-analytics", "success"): two_sources,
    ("product-analytics", "slow"): analytics_blocks_backend,
    ("product-analytics", "error"): analytics_lost,
    ("lambda-api-gateway", "slow"): cold_start_gap,
    ("s3-event-lambda", "success"): event_after_upload,
    ("s3-event-lambda", "slow"): big_file_processing,
    ("s3-event-lambda", "error"): dlq_after_last_attempt,
    ("step-functions-saga", "success"): saga_in_order,
    ("step-functions-saga", "slow"): saga_retry_succeeds,
    ("step-functions-saga", "error"): saga_compensates,
    ("eventbridge-routing", "slow"): lambda trace: all_ok(trace, "sqs", "sns"),
    ("eventbridge-routing", "error"): targets_isolated,
    ("dynamodb-single-table", "slow"): throttled_then_served,
    ("rate-limiting", "error"): rejected_cheaply,
}


@pytest.mark.parametrize(("template_id", "variant"), sorted(STORIES))
def test_story(template_id: str, variant: str) -> None:
    trace = check_story(template_id, variant, STORIES[(template_id, variant)])
    extra = EXTRA.get((template_id, variant))
    if extra is not None:
        extra(trace)


def test_every_variant_of_batch_c_has_a_story() -> None:
    ids = {tid for tid, _ in STORIES}
    assert {(tid, v) for tid in ids for v in ("success", "slow", "error")} == set(STORIES)
    assert set(EXTRA) <= set(STORIES)
