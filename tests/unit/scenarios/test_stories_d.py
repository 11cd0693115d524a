"""Stories of the scenarios of batch "d": security at the edge, Kubernetes and the mesh, data
partitioning and replication, and the resilience patterns.

Each (scenario, variant) has a Story checked structurally against its simulated trace; where the
story's point is a timing, an attribute or an ordering the Story fields cannot express (a breaker that
fails fast, a read that runs before the replica caught up, a pool that was not slowed down), a small
extra check says it in numbers.
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
    "jwt-idor",
    "mtls",
    "waf-owasp",
    "k8s-pod-service",
    "service-mesh",
    "read-replicas",
    "zero-downtime-migration",
    "db-sharding",
    "circuit-breaker",
    "bulkhead",
)

STORIES = {
    # authentication passes in every variant; only the ownership check can refuse
    ("jwt-idor", "success"): Story(
        spans=S("client", "api", "auth", "db"), no_spans=S("jwks"), counts={"db": 2}
    ),
    ("jwt-idor", "slow"): Story(spans=S("jwks"), counts={"jwks": 1, "db": 2}),
    ("jwt-idor", "error"): Story(
        status="error",
        failing=S("api", "client"),
        origin="api",
        spans=S("auth"),
        no_spans=S("jwks"),
        counts={"db": 1},
    ),
    # the OCSP call appears only while certificates rotate; an expired cert stops at the handshake
    ("mtls", "success"): Story(spans=S("gateway", "svc-a", "svc-b", "db"), no_spans=S("ocsp")),
    ("mtls", "slow"): Story(spans=S("ocsp", "db")),
    ("mtls", "error"): Story(
        status="error",
        failing=S("svc-b", "svc-a", "gateway"),
        origin="svc-b",
        no_spans=S("db", "ocsp"),
    ),
    # the WAF forwards, inspects slowly, or blocks before anything behind it runs
    ("waf-owasp", "success"): Story(spans=S("waf", "api", "db")),
    ("waf-owasp", "slow"): Story(spans=S("waf", "api", "db")),
    ("waf-owasp", "error"): Story(
        status="error", failing=S("waf", "client"), origin="waf", no_spans=S("api", "db")
    ),
    # one pod per request; a crash-looping pod costs a timeout; no endpoints, no pod at all
    ("k8s-pod-service", "success"): Story(spans=S("pod-1"), no_spans=S("pod-2", "pod-3")),
    ("k8s-pod-service", "slow"): Story(
        failing=S("pod-3"), origin="pod-3", spans=S("pod-2"), no_spans=S("pod-1"), counts={"pod-3": 1}
    ),
    ("k8s-pod-service", "error"): Story(
        status="error",
        failing=S("svc", "ingress", "client"),
        origin="svc",
        no_spans=S("pod-1", "pod-2", "pod-3"),
    ),
    # two sidecar spans per hop; five DB timeouts through Envoy's retries, then the breaker opens
    ("service-mesh", "success"): Story(
        spans=S("svc-a", "envoy-a", "envoy-b", "svc-b", "db"), counts={"envoy-b": 1, "db": 1}
    ),
    ("service-mesh", "slow"): Story(spans=S("envoy-a", "envoy-b", "db"), counts={"envoy-b": 1}),
    ("service-mesh", "error"): Story(
        status="error",
        failing=S("db", "svc-b", "envoy-b", "envoy-a", "svc-a"),
        origin="db",
        counts={"db": 5, "svc-b": 5, "envoy-b": 5, "envoy-a": 1},
    ),
    # replication is async; lag makes the read stale; a dead replica falls back to the primary
    ("read-replicas", "success"): Story(spans=S("primary", "replica"), counts={"primary": 1, "replica": 2}),
    ("read-replicas", "slow"): Story(after_response=S("replica"), counts={"replica": 2}),
    ("read-replicas", "error"): Story(
        failing=S("replica"), origin="replica", counts={"primary": 2, "replica": 1}
    ),
    # old table first, shadow write second; the shadow write never fails the user
    ("zero-downtime-migration", "success"): Story(spans=S("old", "new")),
    ("zero-downtime-migration", "slow"): Story(spans=S("old", "new")),
    ("zero-downtime-migration", "error"): Story(failing=S("new"), origin="new", spans=S("old")),
    # one shard by key; scatter/gather to all three; one shard down fails its users only
    ("db-sharding", "success"): Story(
        spans=S("router", "shard-2"), no_spans=S("shard-1", "shard-3"), counts={"shard-2": 1}
    ),
    ("db-sharding", "slow"): Story(
        parallel=S("shard-1", "shard-2", "shard-3"), counts={"shard-1": 1, "shard-2": 1, "shard-3": 1}
    ),
    ("db-sharding", "error"): Story(
        status="error",
        failing=S("shard-2", "router", "api", "client"),
        origin="shard-2",
        no_spans=S("shard-1", "shard-3"),
        counts={"shard-2": 2},
    ),
    # CLOSED passes, HALF-OPEN sends one probe, OPEN fails fast without calling out
    ("circuit-breaker", "success"): Story(spans=S("backend", "external"), counts={"external": 1}),
    ("circuit-breaker", "slow"): Story(spans=S("external"), counts={"external": 1}),
    ("circuit-breaker", "error"): Story(
        status="error", failing=S("backend", "client"), origin="backend", no_spans=S("external")
    ),
    # two pools side by side; Search queues or breaks, Orders does not notice
    ("bulkhead", "success"): Story(parallel=S("orders", "search"), spans=S("orders-db", "es")),
    ("bulkhead", "slow"): Story(spans=S("orders", "orders-db", "search", "es")),
    ("bulkhead", "error"): Story(
        failing=S("search"), origin="search", spans=S("orders", "orders-db"), no_spans=S("es")
    ),
}


def of(trace: Trace, node_id: str) -> list[Span]:
    return [s for s in trace.spans if s.node_id == node_id]


def one(trace: Trace, node_id: str) -> Span:
    spans = of(trace, node_id)
    assert len(spans) == 1, f"{node_id}: expected one span, got {len(spans)}"
    return spans[0]


def by_edge(trace: Trace, edge_id: str) -> Span:
    spans = [s for s in trace.spans if s.edge_id == edge_id]
    assert len(spans) == 1, f"{edge_id}: expected one span, got {len(spans)}"
    return spans[0]


def _jwt_slow(trace: Trace) -> None:
    jwks = one(trace, "jwks")
    assert jwks.duration_ms == pytest.approx(1800), "the key fetch is the 1.8 s"
    assert one(trace, "auth").end_ms >= jwks.end_ms, "the fetch sits inside verification"


def _jwt_error(trace: Trace) -> None:
    auth, api = one(trace, "auth"), one(trace, "api")
    assert auth.status == "ok" and auth.attributes["enduser.id"] == "42", "authentication passed"
    assert api.attributes["http.response.status_code"] == 403
    assert api.error is not None and "403 Forbidden" in api.error
    assert by_edge(trace, "api-owner").end_ms <= api.end_ms, "refused after the ownership check"
    assert not [s for s in trace.spans if s.edge_id == "api-lines"], "the invoice data was never read"


def _mtls_error(trace: Trace) -> None:
    svc_b = one(trace, "svc-b")
    assert svc_b.duration_ms <= 5, "a refused handshake is quick"
    assert svc_b.error is not None and "certificate has expired" in svc_b.error
    assert svc_b.attributes["tls.established"] is False


def _mtls_slow(trace: Trace) -> None:
    ocsp, db = one(trace, "ocsp"), one(trace, "db")
    assert db.start_ms >= ocsp.end_ms, "the query waits for the revocation check"


def _waf_slow(trace: Trace) -> None:
    waf, api = one(trace, "waf"), one(trace, "api")
    assert waf.duration_ms - api.duration_ms >= 1500, "the WAF's own time is the 1.5 s"
    assert api.start_ms - waf.start_ms == pytest.approx(1500), "the WAF inspects first, then forwards"
    assert api.end_ms == waf.end_ms, "nothing left to inspect after the API answered"


def _waf_error(trace: Trace) -> None:
    waf = one(trace, "waf")
    assert waf.attributes["http.response.status_code"] == 403 and waf.attributes["waf.action"] == "block"
    assert trace.response_ms < 20, "blocked at the edge, in milliseconds"


def _k8s_slow(trace: Trace) -> None:
    crashing, healthy = one(trace, "pod-3"), one(trace, "pod-2")
    assert crashing.duration_ms == pytest.approx(5000), "hangs until the 5 s upstream timeout"
    assert healthy.start_ms >= crashing.end_ms and healthy.status == "ok", "then the next upstream answers"
    assert trace.status == "ok" and trace.response_ms > 5000


def _k8s_error(trace: Trace) -> None:
    assert one(trace, "ingress").attributes["http.response.status_code"] == 503
    assert trace.response_ms < 20, "no endpoints: the 503 is immediate"


def _mesh_slow(trace: Trace) -> None:
    sidecars = one(trace, "envoy-a").duration_ms - one(trace, "svc-b").duration_ms
    assert sidecars > 10 * one(trace, "svc-b").duration_ms, "the proxies, not the service, take the time"


def _mesh_error(trace: Trace) -> None:
    envoy_a = one(trace, "envoy-a")
    assert envoy_a.error is not None and "circuit breaker open" in envoy_a.error
    assert envoy_a.attributes["envoy.circuit_breaker.state"] == "open"
    timeouts = of(trace, "db")
    assert all(s.status == "error" and s.duration_ms == pytest.approx(1000) for s in timeouts)
    assert max(s.end_ms for s in timeouts) <= envoy_a.end_ms, "the breaker opens after the fifth timeout"
    attempts = sorted(of(trace, "envoy-b"), key=lambda s: s.start_ms)
    gaps = [b.start_ms - a.end_ms for a, b in pairwise(attempts)]
    assert gaps == [pytest.approx(g) for g in (25, 50, 100, 200)], "Envoy's backoff doubles"


def _replicas_success(trace: Trace) -> None:
    wal, read = by_edge(trace, "wal"), by_edge(trace, "app-read")
    assert wal.end_ms <= read.start_ms, "the read sees the write"
    assert "db.response.returned_rows" not in wal.attributes, "applying WAL returns no rows; the read does"
    assert read.attributes["profile.version"] == wal.attributes["profile.version"] == 8


def _replicas_slow(trace: Trace) -> None:
    read, apply = by_edge(trace, "app-read"), by_edge(trace, "wal")
    assert read.end_ms < apply.start_ms, "the read ran before the write reached the replica: stale"
    assert read.attributes["db.response.stale"] is True and "db.response.stale" not in apply.attributes
    assert (read.attributes["profile.version"], apply.attributes["profile.version"]) == (7, 8)
    assert trace.response_ms < 100, "nothing is slow for the user"


def _replicas_error(trace: Trace) -> None:
    refused = by_edge(trace, "app-read")
    assert refused.status == "error" and refused.duration_ms <= 1.0
    fallback = by_edge(trace, "app-read-primary")
    assert fallback.status == "ok" and fallback.start_ms >= refused.end_ms, "failover to the primary"


def _migration_slow(trace: Trace) -> None:
    assert one(trace, "new").duration_ms > 0.95 * trace.response_ms, "the shadow write is the request"


def _migration_error(trace: Trace) -> None:
    assert one(trace, "old").status == "ok", "the source of truth was written"
    assert one(trace, "app").attributes["http.response.status_code"] == 200


def _sharding_slow(trace: Trace) -> None:
    shards = [one(trace, f"shard-{i}") for i in (1, 2, 3)]
    slowest = max(s.end_ms for s in shards)
    assert one(trace, "router").end_ms >= slowest, "the gather waits for the slowest shard"


def _sharding_error(trace: Trace) -> None:
    assert all(s.duration_ms <= 1.0 for s in of(trace, "shard-2")), "a down shard refuses at once"


def _breaker_slow(trace: Trace) -> None:
    backend = one(trace, "backend")
    assert backend.attributes["circuit_breaker.state"] == "half_open"
    assert backend.attributes["circuit_breaker.probe"] is True
    assert not [e for e in backend.events if e.name == "retry"], "a probe is never retried"


def _breaker_error(trace: Trace) -> None:
    backend = one(trace, "backend")
    assert backend.error is not None and "circuit open" in backend.error
    assert backend.duration_ms <= 2, "fails fast"
    assert backend.attributes["circuit_breaker.state"] == "open"
    assert trace.response_ms < 10


def _bulkhead_slow(trace: Trace) -> None:
    healthy = simulate(get_template("bulkhead"), "success")
    assert one(trace, "orders").duration_ms == one(healthy, "orders").duration_ms, "Orders is unaffected"
    assert one(trace, "search").start_ms - one(trace, "orders").start_ms >= 1200, "Search queued for a thread"
    assert one(trace, "search").attributes["bulkhead.queued"] == 38


def _bulkhead_error(trace: Trace) -> None:
    assert one(trace, "search").duration_ms <= 1.0, "the breaker rejects at once"
    assert one(trace, "api").attributes["dashboard.partial"] is True


EXTRA: dict[tuple[str, str], Callable[[Trace], None]] = {
    ("jwt-idor", "slow"): _jwt_slow,
    ("jwt-idor", "error"): _jwt_error,
    ("mtls", "slow"): _mtls_slow,
    ("mtls", "error"): _mtls_error,
    ("waf-owasp", "slow"): _waf_slow,
    ("waf-owasp", "error"): _waf_error,
    ("k8s-pod-service", "slow"): _k8s_slow,
    ("k8s-pod-service", "error"): _k8s_error,
    ("service-mesh", "slow"): _mesh_slow,
    ("service-mesh", "error"): _mesh_error,
    ("read-replicas", "success"): _replicas_success,
    ("read-replicas", "slow"): _replicas_slow,
    ("read-replicas", "error"): _replicas_error,
    ("zero-downtime-migration", "slow"): _migration_slow,
    ("zero-downtime-migration", "error"): _migration_error,
    ("db-sharding", "slow"): _sharding_slow,
    ("db-sharding", "error"): _sharding_error,
    ("circuit-breaker", "slow"): _breaker_slow,
    ("circuit-breaker", "error"): _breaker_error,
    ("bulkhead", "slow"): _bulkhead_slow,
    ("bulkhead", "error"): _bulkhead_error,
}


@pytest.mark.parametrize(("template_id", "variant"), sorted(STORIES))
def test_story(template_id: str, variant: str) -> None:
    trace = check_story(template_id, variant, STORIES[(template_id, variant)])
    extra = EXTRA.get((template_id, variant))
    if extra is not None:
        extra(trace)


def test_every_variant_has_a_story() -> None:
    assert set(STORIES) == {(t, v) for t in IDS for v in ("success", "slow", "error")}
