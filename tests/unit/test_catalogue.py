"""The catalogue holds the 40 fixed ids of spec/ids.md in their categories."""

from __future__ import annotations

from traceplay.domain import catalogue

FIXED = {
    "clients": ["frontend", "mobile"],
    "edge": ["cdn", "load-balancer", "api-gateway", "auth"],
    "services": ["backend", "grpc", "graphql", "websocket", "worker"],
    "data": ["postgresql", "mongodb", "redis", "elasticsearch", "vector-db"],
    "ai": ["llm-api"],
    "messaging": ["kafka", "rabbitmq", "pubsub"],
    "external": ["stripe", "email-api", "twilio", "analytics"],
    "observability": ["prometheus", "jaeger", "loki"],
    "infra": ["vault", "feature-flags"],
    "aws": ["lambda", "dynamodb", "step-functions", "eventbridge", "sns", "sqs", "s3"],
    "security": ["waf"],
    "containers": ["docker", "k8s-service", "envoy"],
}


def test_fixed_ids_in_their_categories() -> None:
    assert sum(len(v) for v in FIXED.values()) == 40
    for category, ids in FIXED.items():
        for cid in ids:
            comp = catalogue.get(cid)
            assert comp is not None, cid
            assert comp.category == category, cid


def test_brokers_are_async_and_everything_else_sync() -> None:
    async_ids = {c.id for c in catalogue.COMPONENTS if c.mode == "async"}
    assert async_ids == {"kafka", "rabbitmq", "pubsub", "eventbridge", "sns", "sqs"}


def test_entries_are_complete_and_unique() -> None:
    ids = [c.id for c in catalogue.COMPONENTS]
    assert len(ids) == len(set(ids))
    categories = {cid for cid, _ in catalogue.CATEGORIES}
    for c in catalogue.COMPONENTS:
        assert c.name and c.icon and c.description and c.latency_ms > 0 and c.category in categories


def test_span_kinds() -> None:
    assert catalogue.BY_ID["postgresql"].span_kind == "client"
    assert catalogue.BY_ID["backend"].span_kind == "server"
    assert catalogue.BY_ID["kafka"].span_kind == "producer"
