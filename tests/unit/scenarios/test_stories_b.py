"""Stories of the scenarios of batch "b": gRPC, agents, sagas, CQRS, OAuth, webhooks, jobs, CDC,
observability and secrets.

Each (scenario, variant) has a Story checked structurally against its simulated trace; where the
story's point is an order in time, an attribute or a retry pattern that the Story fields cannot
express (the refund after the rejection, the stale read, the job reaching the DLQ after its last
attempt), a small extra check says it in numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest

from tests.unit.scenarios.story import S, Story, check_story
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace
from traceplay.templates import get_template

IDS = (
    "grpc-interservice",
    "ai-agent-tools",
    "saga",
    "cqrs-event-sourcing",
    "oauth2-login",
    "webhook-receiver",
    "background-jobs",
    "cdc-pipeline",
    "observability-stack",
    "secrets-management",
)

STORIES = {
    # REST at the edge, gRPC inside; a deadline shared by every hop; DEADLINE_EXCEEDED all the way up
    ("grpc-interservice", "success"): Story(spans=S("rest-api", "orders", "stock", "db")),
    ("grpc-interservice", "slow"): Story(spans=S("orders", "stock", "db")),
    ("grpc-interservice", "error"): Story(
        status="error", failing=S("db", "stock", "orders", "rest-api"), origin="db"
    ),
    # the agent loop: rounds of (LLM, parallel tools), then a final answer — or no end at all
    ("ai-agent-tools", "success"): Story(
        counts={"agent-round": 2, "llm": 3, "vector-db": 2, "web-search": 2, "orders-api": 2},
        parallel=S("vector-db", "web-search", "orders-api"),
    ),
    ("ai-agent-tools", "slow"): Story(counts={"agent-round": 4, "llm": 5, "web-search": 4}),
    ("ai-agent-tools", "error"): Story(
        status="error",
        failing=S("orders-api", "agent-api", "frontend"),
        origin="orders-api",
        counts={"agent-round": 10, "llm": 10, "orders-api": 10, "vector-db": 1, "web-search": 1},
    ),
    # choreography: three participants in parallel; a rejection answered by compensations
    ("saga", "success"): Story(
        parallel=S("payment", "inventory", "shipping"),
        after_response=S("payment", "inventory", "shipping"),
        counts={"payment": 1, "stripe": 1, "shipping": 1},
        no_spans=S("inventory-topic"),
    ),
    ("saga", "slow"): Story(
        after_response=S("payment", "stripe"),
        counts={"payment": 1, "stripe": 1},
        no_spans=S("inventory-topic"),
    ),
    ("saga", "error"): Story(
        failing=S("inventory"),
        origin="inventory",
        spans=S("inventory-topic", "stock-db"),
        counts={"payment": 2, "stripe": 2, "shipping": 2},
        after_response=S("payment", "stripe", "shipping"),
    ),
    # write side, read side, and the lag between them
    ("cqrs-event-sourcing", "success"): Story(
        spans=S("command-api", "event-store", "projector", "query-api", "read-db"), counts={"read-db": 2}
    ),
    ("cqrs-event-sourcing", "slow"): Story(after_response=S("projector", "read-db")),
    ("cqrs-event-sourcing", "error"): Story(
        failing=S("projector"),
        origin="projector",
        counts={"projector": 2, "event-store": 5, "read-db": 2},
        after_response=S("projector", "event-store", "read-db"),
    ),
    # authorization code flow; a 429 retried; invalid_grant ends it before any session
    ("oauth2-login", "success"): Story(
        spans=S("browser", "google-auth", "backend", "token-api"), counts={"session-db": 2}
    ),
    ("oauth2-login", "slow"): Story(failing=S("token-api"), origin="token-api", counts={"token-api": 2}),
    ("oauth2-login", "error"): Story(
        status="error",
        failing=S("token-api", "backend", "browser"),
        origin="token-api",
        counts={"token-api": 1, "session-db": 1},
    ),
    # verify, deduplicate, process; a duplicate is a no-op; a bad signature stops everything
    ("webhook-receiver", "success"): Story(spans=S("webhook-api", "redis", "db")),
    ("webhook-receiver", "slow"): Story(spans=S("redis"), no_spans=S("db")),
    ("webhook-receiver", "error"): Story(
        status="error", failing=S("webhook-api", "stripe"), origin="webhook-api", no_spans=S("redis", "db")
    ),
    # 202 then background work; a backlog; retries then the DLQ
    ("background-jobs", "success"): Story(
        after_response=S("worker", "handler", "db"), counts={"handler": 1}, no_spans=S("dlq")
    ),
    ("background-jobs", "slow"): Story(after_response=S("worker", "handler"), no_spans=S("dlq")),
    ("background-jobs", "error"): Story(
        failing=S("handler"),
        origin="handler",
        counts={"handler": 3, "db": 3, "dlq": 1},
        after_response=S("handler", "dlq"),
    ),
    # one write, copies kept by the change stream; lag; a connector outage survived
    ("cdc-pipeline", "success"): Story(
        parallel=S("elasticsearch", "redis"), after_response=S("debezium", "elasticsearch", "redis")
    ),
    ("cdc-pipeline", "slow"): Story(after_response=S("debezium", "kafka", "elasticsearch", "redis")),
    ("cdc-pipeline", "error"): Story(
        failing=S("debezium"),
        origin="debezium",
        counts={"debezium": 3, "kafka": 1},
        spans=S("elasticsearch", "redis"),
        after_response=S("elasticsearch", "redis"),
    ),
    # three signals off the request path
    ("observability-stack", "success"): Story(
        parallel=S("prometheus", "jaeger", "loki"), after_response=S("jaeger", "loki")
    ),
    ("observability-stack", "slow"): Story(after_response=S("loki"), spans=S("prometheus", "jaeger")),
    ("observability-stack", "error"): Story(
        failing=S("prometheus"), origin="prometheus", spans=S("jaeger", "loki")
    ),
    # a credential born per lease; Vault on the critical path; a sealed Vault and an unreachable DB
    ("secrets-management", "success"): Story(spans=S("vault"), counts={"postgres": 2}),
    ("secrets-management", "slow"): Story(spans=S("vault"), counts={"postgres": 2}),
    ("secrets-management", "error"): Story(
        status="error",
        failing=S("vault", "backend"),
        origin="vault",
        no_spans=S("postgres"),
        counts={"vault": 3},
    ),
}


def of(trace: Trace, node_id: str) -> list[Span]:
    return sorted((s for s in trace.spans if s.node_id == node_id), key=lambda s: s.start_ms)


def one(trace: Trace, node_id: str) -> Span:
    spans = of(trace, node_id)
    assert len(spans) == 1, f"{node_id}: expected one span, got {len(spans)}"
    return spans[0]


def by_edge(trace: Trace, edge_id: str) -> list[Span]:
    return sorted((s for s in trace.spans if s.edge_id == edge_id), key=lambda s: s.start_ms)


def _grpc_success(trace: Trace) -> None:
    assert trace.response_ms < 50, "an internal gRPC chain answers in tens of milliseconds"
    for nid in ("orders", "stock"):
        assert one(trace, nid).attributes["rpc.grpc.status_code"] == 0


def _grpc_slow(trace: Trace) -> None:
    assert trace.response_ms < 500, "slow but inside the 500 ms deadline"
    assert one(trace, "db").duration_ms > 0.9 * trace.response_ms, "the query eats the budget"


def _grpc_error(trace: Trace) -> None:
    for nid in ("stock", "orders"):
        span = one(trace, nid)
        assert span.attributes["rpc.grpc.status_code"] == 4 and "DEADLINE_EXCEEDED" in (span.error or "")
    assert one(trace, "rest-api").attributes["http.response.status_code"] == 504
    assert one(trace, "db").duration_ms == pytest.approx(492), "cancelled at the propagated deadline"
    ends = [one(trace, nid).end_ms for nid in ("db", "stock", "orders", "rest-api")]
    assert max(ends) - min(ends) < 20, "with one propagated deadline every hop gives up together"
    assert not any(s.attributes.get("traceplay.orphaned") for s in trace.spans), "no work outlives its caller"


def _agent_success(trace: Trace) -> None:
    reasons = {s.edge_id: s.attributes["gen_ai.response.finish_reasons"] for s in of(trace, "llm")}
    assert reasons == {"plan": "tool_calls", "answer": "stop"}, "rounds ask for tools, the last call answers"
    rounds = of(trace, "agent-round")
    assert rounds[0].end_ms <= rounds[1].start_ms, "rounds run one after another"
    first_llm = min(of(trace, "llm"), key=lambda s: s.start_ms)
    tools = [of(trace, nid)[0] for nid in ("vector-db", "web-search", "orders-api")]
    assert all(first_llm.end_ms <= t.start_ms for t in tools), "the model decides before the tools run"
    (final,) = by_edge(trace, "answer")
    assert final.start_ms >= rounds[-1].end_ms, "the final answer comes after the last round"


def _agent_slow(trace: Trace) -> None:
    web = sum(s.duration_ms for s in of(trace, "web-search"))
    assert web > 0.6 * trace.response_ms, "the slow tool sets the pace"


def _agent_error(trace: Trace) -> None:
    assert all(s.status == "error" for s in of(trace, "orders-api")), "the tool returns garbage every round"
    assert all(s.status == "ok" for s in of(trace, "agent-round")), "tool errors are handled by the loop"
    assert not by_edge(trace, "answer"), "no final answer"
    assert all(s.attributes["gen_ai.response.finish_reasons"] == "tool_calls" for s in of(trace, "llm"))
    retries = by_edge(trace, "loop-again")
    assert len(retries) == 9, "after round 1 the model only asks for the failing tool again"
    for round_ in retries:
        children = {s.edge_id for s in trace.spans if s.parent_id == round_.span_id}
        assert children == {"plan", "tool-orders"}, children
    assert one(trace, "agent-api").attributes["agent.iterations"] == 10


def _saga_success(trace: Trace) -> None:
    assert trace.response_ms < 100, "202 before any participant ran"
    assert not by_edge(trace, "refund") and not by_edge(trace, "cancel-shipment")
    (charge,) = by_edge(trace, "charge")
    assert charge.parent_id == one(trace, "payment").span_id and not by_edge(trace, "stripe-refund")


def _saga_slow(trace: Trace) -> None:
    payment, stripe = one(trace, "payment"), one(trace, "stripe")
    assert payment.duration_ms > 10 * one(trace, "inventory").duration_ms, "the saga waits for payment"
    assert stripe.duration_ms > 0.95 * payment.duration_ms, "the time is the card network's"
    assert not by_edge(trace, "refund")


def _saga_error(trace: Trace) -> None:
    inventory = one(trace, "inventory")
    assert "OUT_OF_STOCK" in (inventory.error or "")
    (charge,) = by_edge(trace, "to-payment")
    (refund,) = by_edge(trace, "refund")
    (cancel,) = by_edge(trace, "cancel-shipment")
    assert charge.status == "ok" and charge.end_ms <= refund.start_ms, "the charge happened, then the refund"
    assert refund.start_ms >= inventory.end_ms, "the refund answers Inventory's OUT_OF_STOCK"
    assert refund.operation == "consume inventory.rejected → Payment.refund" and refund.status == "ok"
    assert charge.attributes["payment.status"] == "captured"
    assert refund.attributes["payment.status"] == "refunded"
    assert cancel.start_ms >= inventory.end_ms and cancel.status == "ok"
    # one Payment service, two Stripe calls: a charge for order.created, a refund for the rejection
    (stripe_charge,) = by_edge(trace, "charge")
    (stripe_refund,) = by_edge(trace, "stripe-refund")
    assert stripe_charge.parent_id == charge.span_id
    assert stripe_charge.operation.startswith("POST /v1/payment_intents")
    assert stripe_refund.parent_id == refund.span_id and stripe_refund.operation == "POST /v1/refunds"
    assert stripe_charge.end_ms < refund.start_ms, "the money was taken before the rejection arrived"


def _cqrs_success(trace: Trace) -> None:
    (update,) = by_edge(trace, "project")
    (select,) = by_edge(trace, "select-view")
    assert update.end_ms <= select.start_ms, "the projection lands before the read: a fresh read"
    assert one(trace, "query-api").attributes["app.read_model.stale"] is False
    (load,) = by_edge(trace, "load")
    (append,) = by_edge(trace, "append")
    assert load.end_ms <= append.start_ms, "the command reads the stream, then appends"
    projector = one(trace, "projector")
    assert projector.parent_id == append.span_id, "only the append reaches the subscription, not the read"


def _cqrs_slow(trace: Trace) -> None:
    (update,) = by_edge(trace, "project")
    (select,) = by_edge(trace, "select-view")
    assert select.start_ms < update.start_ms, "the read runs before the projection: a stale read"
    assert one(trace, "query-api").attributes["app.read_model.stale"] is True


def _cqrs_error(trace: Trace) -> None:
    first, second = of(trace, "projector")
    assert first.status == "error" and second.status == "ok", "the projection fails, the rebuild succeeds"
    replays = by_edge(trace, "replay")
    (rebuild,) = by_edge(trace, "rebuild")
    assert len(replays) == 3 and all(r.parent_id == second.span_id for r in replays), "replay in pages"
    assert rebuild.start_ms >= replays[-1].end_ms, "the view is rewritten after the replay"
    assert rebuild.attributes["db.operation.name"] == "UPSERT"
    (select,) = by_edge(trace, "select-view")
    assert select.start_ms < rebuild.start_ms, "meanwhile the user read the broken view"
    assert "db.operation.name" not in select.attributes, "the read is not the rebuild's upsert"
    assert not by_edge(trace, "project")


def _oauth_success(trace: Trace) -> None:
    assert one(trace, "google-auth").end_ms <= one(trace, "backend").start_ms, "consent, then the callback"
    (state,) = by_edge(trace, "check-state")
    assert state.end_ms <= one(trace, "token-api").start_ms, "the state is checked before the exchange"


def _oauth_slow(trace: Trace) -> None:
    first, second = of(trace, "token-api")
    assert first.status == "error" and "429" in (first.error or "") and second.status == "ok"
    assert second.start_ms - first.end_ms == pytest.approx(1000), "the retry honours Retry-After: 1"
    assert first.duration_ms == pytest.approx(40), "a rate limiter refuses fast"
    assert second.duration_ms == pytest.approx(320), "the retry exchanges the code at the usual pace"


def _oauth_error(trace: Trace) -> None:
    assert "invalid_grant" in (one(trace, "token-api").error or "")
    assert not by_edge(trace, "create-session"), "no session is created"


def _webhook_slow(trace: Trace) -> None:
    assert one(trace, "webhook-api").attributes["webhook.duplicate"] is True
    assert one(trace, "webhook-api").status == "ok", "a duplicate is answered 200"


def _webhook_error(trace: Trace) -> None:
    api = one(trace, "webhook-api")
    assert api.attributes["http.response.status_code"] == 401
    assert trace.response_ms < 10, "rejected before any I/O"


def _jobs_success(trace: Trace) -> None:
    assert one(trace, "api").attributes["http.response.status_code"] == 202
    assert trace.response_ms < 50 < trace.duration_ms


def _jobs_slow(trace: Trace) -> None:
    assert trace.response_ms < 50
    assert one(trace, "worker").start_ms - one(trace, "queue").end_ms >= 40_000, "842 jobs ahead of ours"


def _jobs_error(trace: Trace) -> None:
    attempts = of(trace, "handler")
    for a, b in pairwise(attempts):
        assert b.start_ms - a.end_ms == pytest.approx(2000), "retries 2 s apart"
    dlq = one(trace, "dlq")
    assert dlq.start_ms >= attempts[-1].end_ms, "the job reaches the DLQ only after its last attempt"
    assert one(trace, "worker").status == "ok" and one(trace, "api").status == "ok"


def _cdc_success(trace: Trace) -> None:
    assert trace.response_ms < 50 and trace.duration_ms < 200, "copies in sync ~0.1 s after the write"


def _cdc_slow(trace: Trace) -> None:
    lag = one(trace, "debezium").start_ms - one(trace, "postgres").end_ms
    assert lag >= 29_000, "the change waits ~30 s in the WAL before Debezium reads it"


def _cdc_error(trace: Trace) -> None:
    attempts = of(trace, "debezium")
    assert [a.status for a in attempts] == ["error", "error", "ok"], "two disconnects, then a resume"
    assert one(trace, "kafka").parent_id == attempts[-1].span_id, "the change flows on after the resume"


def _obs_slow(trace: Trace) -> None:
    assert one(trace, "loki").duration_ms > 100 * trace.response_ms, "logs lag, the request does not"


def _obs_error(trace: Trace) -> None:
    assert one(trace, "backend").attributes["http.response.status_code"] == 200
    assert one(trace, "prometheus").attributes["prometheus.target.up"] == 0


def _secrets_success(trace: Trace) -> None:
    (role,) = by_edge(trace, "create-role")
    (query,) = by_edge(trace, "query")
    assert role.end_ms <= query.start_ms, "the credential exists before the query uses it"
    assert one(trace, "vault").attributes["vault.lease_duration_s"] == 3600


def _secrets_slow(trace: Trace) -> None:
    assert one(trace, "vault").duration_ms == pytest.approx(2000), "2 s to issue"


def _secrets_error(trace: Trace) -> None:
    assert all("sealed" in (s.error or "") for s in of(trace, "vault"))
    assert one(trace, "backend").attributes["http.response.status_code"] == 503


EXTRA: dict[tuple[str, str], Callable[[Trace], None]] = {
    ("grpc-interservice", "success"): _grpc_success,
    ("grpc-interservice", "slow"): _grpc_slow,
    ("grpc-interservice", "error"): _grpc_error,
    ("ai-agent-tools", "success"): _agent_success,
    ("ai-agent-tools", "slow"): _agent_slow,
    ("ai-agent-tools", "error"): _agent_error,
    ("saga", "success"): _saga_success,
    ("saga", "slow"): _saga_slow,
    ("saga", "error"): _saga_error,
    ("cqrs-event-sourcing", "success"): _cqrs_success,
    ("cqrs-event-sourcing", "slow"): _cqrs_slow,
    ("cqrs-event-sourcing", "error"): _cqrs_error,
    ("oauth2-login", "success"): _oauth_success,
    ("oauth2-login", "slow"): _oauth_slow,
    ("oauth2-login", "error"): _oauth_error,
    ("webhook-receiver", "slow"): _webhook_slow,
    ("webhook-receiver", "error"): _webhook_error,
    ("background-jobs", "success"): _jobs_success,
    ("background-jobs", "slow"): _jobs_slow,
    ("background-jobs", "error"): _jobs_error,
    ("cdc-pipeline", "success"): _cdc_success,
    ("cdc-pipeline", "slow"): _cdc_slow,
    ("cdc-pipeline", "error"): _cdc_error,
    ("observability-stack", "slow"): _obs_slow,
    ("observability-stack", "error"): _obs_error,
    ("secrets-management", "success"): _secrets_success,
    ("secrets-management", "slow"): _secrets_slow,
    ("secrets-management", "error"): _secrets_error,
}


@pytest.mark.parametrize(("template_id", "variant"), sorted(STORIES))
def test_story(template_id: str, variant: str) -> None:
    trace = check_story(template_id, variant, STORIES[(template_id, variant)])
    extra = EXTRA.get((template_id, variant))
    if extra is not None:
        extra(trace)


def test_every_variant_has_a_story() -> None:
    assert set(STORIES) == {(t, v) for t in IDS for v in ("success", "slow", "error")}


@pytest.mark.parametrize("variant", ["success", "slow", "error"])
def test_saga_compensations_exist_only_when_the_saga_fails(variant: str) -> None:
    trace = simulate(get_template("saga"), variant)
    compensations = by_edge(trace, "refund") + by_edge(trace, "cancel-shipment")
    assert bool(compensations) == (variant == "error")
