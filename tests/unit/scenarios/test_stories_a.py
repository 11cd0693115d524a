"""Stories of the scenarios of batch "a": external APIs, messaging, fan-out and load balancing.

Each (scenario, variant) has a Story checked structurally against its simulated trace; where the
story's point is a timing or an event the Story fields cannot express (a fast failure, an orphaned
span, the slow branch setting the response time), a small extra check says it in numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest

from tests.unit.scenarios.story import S, Story, check_story
from traceplay.domain.trace import Span, Trace

IDS = (
    "stripe-api",
    "kafka-fanout",
    "sqs-async",
    "upload-s3",
    "api-gateway-microservices",
    "rag-pipeline",
    "realtime-chat",
    "load-balanced-api",
    "search-sync",
    "graphql-federation",
)

STORIES = {
    # charge first, then write; a timeout trips the breaker; a decline leaves no order row
    ("stripe-api", "success"): Story(spans=S("frontend", "api", "stripe", "db")),
    ("stripe-api", "slow"): Story(
        status="error",
        failing=S("api", "frontend"),
        spans=S("stripe"),
        no_spans=S("db"),
        after_response=S("stripe"),
    ),
    ("stripe-api", "error"): Story(
        status="error", failing=S("stripe", "api"), origin="stripe", no_spans=S("db")
    ),
    # one event, three consumer groups, all after the 202
    ("kafka-fanout", "success"): Story(
        parallel=S("payment", "inventory", "email"), after_response=S("payment", "inventory", "email")
    ),
    ("kafka-fanout", "slow"): Story(spans=S("payment", "email"), after_response=S("payment")),
    ("kafka-fanout", "error"): Story(
        failing=S("payment"), origin="payment", spans=S("inventory", "email"), after_response=S("payment")
    ),
    # 202 fast, the real work later; a silent crash redelivered three times
    ("sqs-async", "success"): Story(after_response=S("worker", "db"), counts={"worker": 1}),
    ("sqs-async", "slow"): Story(after_response=S("worker", "db")),
    ("sqs-async", "error"): Story(
        failing=S("worker"),
        origin="worker",
        after_response=S("worker"),
        no_spans=S("db"),
        counts={"worker": 3},
    ),
    # two writes in sequence; the second fails and the first stays
    ("upload-s3", "success"): Story(spans=S("s3", "db")),
    ("upload-s3", "slow"): Story(spans=S("s3", "db")),
    ("upload-s3", "error"): Story(
        status="error", failing=S("db", "api", "frontend"), origin="db", spans=S("s3")
    ),
    # parallel fan-out: the slowest branch sets the response
    ("api-gateway-microservices", "success"): Story(
        parallel=S("users", "orders", "products"), spans=S("users-db", "orders-db", "products-db")
    ),
    ("api-gateway-microservices", "slow"): Story(
        parallel=S("users", "orders", "products"), spans=S("orders-db")
    ),
    ("api-gateway-microservices", "error"): Story(
        status="error",
        failing=S("products", "gateway", "mobile"),
        origin="products",
        spans=S("users", "orders"),
        no_spans=S("products-db"),
    ),
    # embed → retrieve → generate; a 429 retried, then retries exhausted
    ("rag-pipeline", "success"): Story(spans=S("embed", "vectordb", "llm"), counts={"llm": 1}),
    ("rag-pipeline", "slow"): Story(failing=S("llm"), counts={"llm": 2}),
    ("rag-pipeline", "error"): Story(
        status="error", failing=S("llm", "backend"), origin="llm", counts={"llm": 3}, spans=S("vectordb")
    ),
    # ack is not delivery; persistence is async; a swallowed publish loses the message
    ("realtime-chat", "success"): Story(spans=S("redis", "ws-b"), after_response=S("recipient", "mongo")),
    ("realtime-chat", "slow"): Story(spans=S("recipient"), after_response=S("mongo")),
    ("realtime-chat", "error"): Story(
        failing=S("redis"), origin="redis", no_spans=S("ws-b", "recipient"), spans=S("mongo")
    ),
    # one instance per request; a dead one is retried around
    ("load-balanced-api", "success"): Story(spans=S("api-1", "db"), no_spans=S("api-2", "api-3")),
    ("load-balanced-api", "slow"): Story(spans=S("api-2", "db"), no_spans=S("api-1", "api-3")),
    ("load-balanced-api", "error"): Story(
        failing=S("api-3"), origin="api-3", spans=S("api-1", "db"), no_spans=S("api-2"), counts={"api-3": 1}
    ),
    # dual-write: siblings in parallel; one rejected, the other committed
    ("search-sync", "success"): Story(parallel=S("pg", "es")),
    ("search-sync", "slow"): Story(parallel=S("pg", "es")),
    ("search-sync", "error"): Story(status="error", failing=S("es", "backend"), origin="es", spans=S("pg")),
    # a sequential query plan; N+1 in one resolver; a dead subgraph behind HTTP 200
    ("graphql-federation", "success"): Story(spans=S("users", "orders", "products"), counts={"db": 3}),
    ("graphql-federation", "slow"): Story(counts={"db": 62, "products": 1}),
    ("graphql-federation", "error"): Story(
        failing=S("products"), origin="products", spans=S("users", "orders")
    ),
}


def of(trace: Trace, node_id: str) -> list[Span]:
    return [s for s in trace.spans if s.node_id == node_id]


def one(trace: Trace, node_id: str) -> Span:
    spans = of(trace, node_id)
    assert len(spans) == 1, f"{node_id}: expected one span, got {len(spans)}"
    return spans[0]


def _stripe_slow(trace: Trace) -> None:
    api, stripe = one(trace, "api"), one(trace, "stripe")
    timeouts = [e for e in api.events if e.name == "timeout"]
    assert timeouts and timeouts[0].attributes["timeout_ms"] == 2000
    assert api.end_ms - timeouts[0].time_ms <= 15, "after the timeout the API answers 503 at once"
    assert stripe.attributes.get("traceplay.orphaned") is True
    assert api.attributes["circuit_breaker.state"] == "open"


def _kafka_slow(trace: Trace) -> None:
    payment = one(trace, "payment")
    assert one(trace, "email").end_ms < payment.start_ms, "email is sent before the charge"
    assert payment.attributes["messaging.kafka.consumer.lag"] == 14200, "the delivery carries its lag"


def _sqs_success(trace: Trace) -> None:
    assert trace.response_ms < 100, "202 fast"
    assert trace.duration_ms < 2000, "the worker is done within 2 s"


def _sqs_slow(trace: Trace) -> None:
    assert trace.response_ms < 100
    assert one(trace, "worker").start_ms - one(trace, "sqs").end_ms >= 30_000, "the backlog delays the job"


def _sqs_error(trace: Trace) -> None:
    api = one(trace, "api")
    assert api.status == "ok" and api.attributes["http.response.status_code"] == 202
    receives = sorted(of(trace, "worker"), key=lambda s: s.start_ms)
    assert all(s.start_ms > trace.response_ms for s in receives)
    assert [s.attributes["messaging.sqs.approximate_receive_count"] for s in receives] == [1, 2, 3]
    assert [s.attributes.get("messaging.redelivered", False) for s in receives] == [False, True, True]
    for a, b in pairwise(receives):
        assert b.start_ms - a.start_ms == pytest.approx(30_000), "visible again one visibility timeout later"


def _upload_slow(trace: Trace) -> None:
    assert one(trace, "db").start_ms >= one(trace, "s3").end_ms, "the metadata waits for the upload"
    assert one(trace, "s3").duration_ms > 0.9 * trace.response_ms


def _gateway_slow(trace: Trace) -> None:
    orders = one(trace, "orders")
    for other in ("users", "products"):
        assert one(trace, other).duration_ms * 10 < orders.duration_ms
    assert orders.duration_ms > 0.95 * trace.response_ms, "the slow branch dominates the response"


def _gateway_error(trace: Trace) -> None:
    assert one(trace, "products").duration_ms == pytest.approx(3000), "hangs until the gateway's timeout"


def _rag_slow(trace: Trace) -> None:
    first, second = sorted(of(trace, "llm"), key=lambda s: s.start_ms)
    assert first.status == "error" and "429" in (first.error or "") and second.status == "ok"
    assert first.duration_ms == pytest.approx(200), "the 429 comes back fast"
    assert second.duration_ms == pytest.approx(1800), "the retry that gets through generates as usual"
    assert second.start_ms - first.end_ms == pytest.approx(5000), "the SDK honours Retry-After: 5"


def _rag_error(trace: Trace) -> None:
    attempts = sorted(of(trace, "llm"), key=lambda s: s.start_ms)
    gaps = [b.start_ms - a.end_ms for a, b in pairwise(attempts)]
    assert gaps == [pytest.approx(1000), pytest.approx(2000)], "exponential backoff: 1 s, then 2 s"
    assert one(trace, "vectordb").status == "ok", "retrieval worked"


def _chat_success(trace: Trace) -> None:
    assert one(trace, "recipient").end_ms < 100, "delivered in under 100 ms"


def _lb_error(trace: Trace) -> None:
    dead, healthy = one(trace, "api-3"), one(trace, "api-1")
    assert dead.duration_ms <= 1.0, "the dead instance fails fast"
    assert healthy.status == "ok" and healthy.start_ms >= dead.end_ms, "the retry goes to a healthy instance"
    assert one(trace, "lb").status == "ok"


def _lb_slow(trace: Trace) -> None:
    api2, db = one(trace, "api-2"), one(trace, "db")
    assert api2.duration_ms - db.duration_ms > 1000, "the time is the instance's own"


def _search_error(trace: Trace) -> None:
    assert one(trace, "pg").status == "ok", "PostgreSQL committed although the request failed"


def _graphql_error(trace: Trace) -> None:
    gateway = one(trace, "gateway")
    assert gateway.status == "ok" and gateway.attributes["graphql.response.errors"] == 1


def _graphql_success(trace: Trace) -> None:
    users, orders, products = one(trace, "users"), one(trace, "orders"), one(trace, "products")
    assert users.end_ms <= orders.start_ms and orders.end_ms <= products.start_ms, "the plan is sequential"


EXTRA: dict[tuple[str, str], Callable[[Trace], None]] = {
    ("stripe-api", "slow"): _stripe_slow,
    ("kafka-fanout", "slow"): _kafka_slow,
    ("sqs-async", "success"): _sqs_success,
    ("sqs-async", "slow"): _sqs_slow,
    ("sqs-async", "error"): _sqs_error,
    ("upload-s3", "slow"): _upload_slow,
    ("api-gateway-microservices", "slow"): _gateway_slow,
    ("api-gateway-microservices", "error"): _gateway_error,
    ("rag-pipeline", "slow"): _rag_slow,
    ("rag-pipeline", "error"): _rag_error,
    ("realtime-chat", "success"): _chat_success,
    ("load-balanced-api", "slow"): _lb_slow,
    ("load-balanced-api", "error"): _lb_error,
    ("search-sync", "error"): _search_error,
    ("graphql-federation", "success"): _graphql_success,
    ("graphql-federation", "error"): _graphql_error,
}


@pytest.mark.parametrize(("template_id", "variant"), sorted(STORIES))
def test_story(template_id: str, variant: str) -> None:
    trace = check_story(template_id, variant, STORIES[(template_id, variant)])
    extra = EXTRA.get((template_id, variant))
    if extra is not None:
        extra(trace)


def test_every_variant_has_a_story() -> None:
    assert set(STORIES) == {(t, v) for t in IDS for v in ("success", "slow", "error")}
