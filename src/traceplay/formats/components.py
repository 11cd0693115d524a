"""Which catalogue component a service of a real trace most likely is.

A registry of small rules tried in order; the first that answers wins. Each rule looks at what the
spans of one service (or one called peer) tell: their attributes (``db.system``, ``messaging.system``,
``rpc.system`` ...), their kinds, and the service's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from traceplay.domain import catalogue


@dataclass
class Evidence:
    """What the spans of one node say about it."""

    label: str
    attributes: dict[str, Any] = field(default_factory=dict)  # first value seen per key
    kinds: set[str] = field(default_factory=set)
    declared: str | None = None  # a component the spans name (traceplay.component)
    entry_kind: str | None = None  # the kind of the trace's entry root, when this node holds it


DB_SYSTEMS = {
    "postgresql": "postgresql",
    "mongodb": "mongodb",
    "redis": "redis",
    "memcached": "redis",
    "valkey": "redis",
    "elasticsearch": "elasticsearch",
    "opensearch": "elasticsearch",
    "aws.dynamodb": "dynamodb",
    "dynamodb": "dynamodb",
    "eventstoredb": "event-store",
    "vector-db": "vector-db",
    "pinecone": "vector-db",
    "qdrant": "vector-db",
    "weaviate": "vector-db",
    "milvus": "vector-db",
    "chroma": "vector-db",
}
MESSAGING_SYSTEMS = {
    "kafka": "kafka",
    "rabbitmq": "rabbitmq",
    "gcp_pubsub": "pubsub",
    "aws_sqs": "sqs",
    "aws.sqs": "sqs",
    "aws.sns": "sns",
    "aws_sns": "sns",
    "aws.eventbridge": "eventbridge",
}
# (name keyword, component): a keyword matches a word of the service name that starts with it
NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("memcache", "redis"),
    ("redis", "redis"),
    ("valkey", "redis"),
    ("postgres", "postgresql"),
    ("mysql", "postgresql"),
    ("mariadb", "postgresql"),
    ("mssql", "postgresql"),
    ("jdbc", "postgresql"),
    ("mongo", "mongodb"),
    ("elastic", "elasticsearch"),
    ("opensearch", "elasticsearch"),
    ("kafka", "kafka"),
    ("rabbit", "rabbitmq"),
    ("pubsub", "pubsub"),
    ("sqs", "sqs"),
    ("sns", "sns"),
    ("dynamo", "dynamodb"),
    ("s3", "s3"),
    ("eventbridge", "eventbridge"),
    ("lambda", "lambda"),
    ("gateway", "api-gateway"),
    ("nginx", "load-balancer"),
    ("haproxy", "load-balancer"),
    ("lb", "load-balancer"),
    ("envoy", "envoy"),
    ("istio", "envoy"),
    ("sidecar", "envoy"),
    ("ingress", "ingress"),
    ("auth", "auth"),
    ("oauth", "auth"),
    ("keycloak", "auth"),
    ("identity", "auth"),
    ("graphql", "graphql"),
    ("grpc", "grpc"),
    ("worker", "worker"),
    ("celery", "worker"),
    ("sidekiq", "worker"),
    ("frontend", "frontend"),
    ("browser", "frontend"),
    ("mobile", "mobile"),
    ("ios", "mobile"),
    ("android", "mobile"),
    ("cdn", "cdn"),
    ("cloudfront", "cdn"),
    ("waf", "waf"),
    ("stripe", "stripe"),
    ("twilio", "twilio"),
    ("sendgrid", "email-api"),
    ("email", "email-api"),
    ("mail", "email-api"),
    ("analytics", "analytics"),
    ("segment", "analytics"),
    ("mixpanel", "analytics"),
    ("vault", "vault"),
    ("launchdarkly", "feature-flags"),
    ("unleash", "feature-flags"),
    ("flags", "feature-flags"),
    ("openai", "llm-api"),
    ("anthropic", "llm-api"),
    ("llm", "llm-api"),
    ("prometheus", "prometheus"),
    ("jaeger", "jaeger"),
    ("loki", "loki"),
    ("pinecone", "vector-db"),
    ("qdrant", "vector-db"),
    ("weaviate", "vector-db"),
)


def _declared(ev: Evidence) -> str | None:
    return ev.declared if ev.declared and catalogue.get(ev.declared) else None


def _database(ev: Evidence) -> str | None:
    system = ev.attributes.get("db.system.name", ev.attributes.get("db.system"))
    if system is None:
        return None
    return DB_SYSTEMS.get(str(system).lower(), "postgresql")  # an unknown database: the generic store


def _messaging(ev: Evidence) -> str | None:
    system = ev.attributes.get("messaging.system")
    if system is None:
        return None
    return MESSAGING_SYSTEMS.get(str(system).lower(), "kafka")  # an unknown broker: the generic log


def _rpc(ev: Evidence) -> str | None:
    return "grpc" if str(ev.attributes.get("rpc.system", "")).lower() == "grpc" else None


def _genai(ev: Evidence) -> str | None:
    return "llm-api" if "gen_ai.system" in ev.attributes or "gen_ai.provider.name" in ev.attributes else None


def _graphql(ev: Evidence) -> str | None:
    return "graphql" if any(k.startswith("graphql.") for k in ev.attributes) else None


def _faas(ev: Evidence) -> str | None:
    return "lambda" if any(k.startswith("faas.") for k in ev.attributes) else None


def _name(ev: Evidence) -> str | None:
    words = [w for w in re.split(r"[^a-z0-9]+", ev.label.lower()) if w]
    for keyword, component in NAME_HINTS:
        if any(w.startswith(keyword) for w in words):
            comp = catalogue.get(component)
            if comp is not None and comp.role == "client" and (ev.entry_kind is None or "api" in words):
                continue  # "mobile_api" is a service; only the trace's entry can be a client app
            return component
    return None


def _client_root(ev: Evidence) -> str | None:
    return "frontend" if ev.entry_kind == "client" else None


RULES: tuple[Callable[[Evidence], str | None], ...] = (
    _declared,
    _database,
    _messaging,
    _rpc,
    _genai,
    _graphql,
    _faas,
    _name,
    _client_root,
)


def guess(ev: Evidence) -> str:
    """The component id for a node; ``backend`` when nothing tells."""
    for rule in RULES:
        found = rule(ev)
        if found is not None:
            return found
    return "backend"
