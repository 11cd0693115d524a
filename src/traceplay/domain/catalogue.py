"""The component catalogue: every kind of box a learner can put on the canvas.

A registry (a tuple of small frozen records), not a switch: the engine, the analyzer, the formats and
the web app all iterate it. The 40 ids of ``spec/ids.md`` are a public contract; the entries after
them (``browser``, ``attacker``, ``debezium`` ...) are components the built-in scenarios need that the
original list lacked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["sync", "async"]
SpanKind = Literal["server", "client", "producer", "consumer", "internal"]

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("clients", "Clients"),
    ("edge", "Edge / entry"),
    ("services", "Services"),
    ("data", "Data stores"),
    ("ai", "AI / LLM"),
    ("messaging", "Messaging"),
    ("external", "External"),
    ("observability", "Observability"),
    ("infra", "Infra support"),
    ("aws", "Serverless / AWS"),
    ("security", "Security"),
    ("containers", "Containers"),
)


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    category: str
    icon: str
    latency_ms: float
    description: str
    mode: Mode = "sync"  # how calls into it behave by default: brokers and event buses are async
    role: str = "service"  # client | proxy | service | function | store | broker | external
    attributes: dict[str, str] = field(default_factory=dict)  # semantic-convention attributes

    @property
    def span_kind(self) -> SpanKind:
        """The kind of span a synchronous call into this component makes."""
        if self.role in ("store", "external"):
            return "client"
        if self.role == "broker":
            return "producer"
        return "server"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "icon": self.icon,
            "latency_ms": self.latency_ms,
            "mode": self.mode,
            "role": self.role,
            "description": self.description,
            "attributes": dict(self.attributes),
        }


def _c(
    id: str,
    name: str,
    category: str,
    icon: str,
    latency_ms: float,
    description: str,
    *,
    role: str = "service",
    mode: Mode = "sync",
    **attributes: str,
) -> Component:
    attrs = {k.replace("__", "."): v for k, v in attributes.items()}
    return Component(id, name, category, icon, latency_ms, description, mode, role, attrs)


COMPONENTS: tuple[Component, ...] = (
    # clients
    _c("frontend", "Frontend (React)", "clients", "🖥️", 5, "A web app in the browser.", role="client"),
    _c("mobile", "Mobile (iOS/Android)", "clients", "📱", 8, "A native mobile app.", role="client"),
    # edge / entry
    _c("cdn", "CDN", "edge", "🌐", 3, "Edge cache in front of the origin.", role="proxy"),
    _c("load-balancer", "Load Balancer", "edge", "⚖️", 1, "Spreads requests over instances.", role="proxy"),
    _c(
        "api-gateway", "API Gateway", "edge", "🚪", 4, "One entry point: routing, auth, limits.", role="proxy"
    ),
    _c("auth", "Auth", "edge", "🔐", 15, "Identity provider: tokens, sessions, keys."),
    # services
    _c(
        "backend",
        "Backend",
        "services",
        "⚙️",
        20,
        "An HTTP service with business logic.",
    ),
    _c(
        "grpc",
        "gRPC Service",
        "services",
        "🔗",
        8,
        "An internal service spoken to over gRPC.",
        rpc__system="grpc",
    ),
    _c(
        "graphql",
        "GraphQL",
        "services",
        "◈",
        12,
        "A GraphQL server or federation gateway.",
        graphql__operation__type="query",
    ),
    _c("websocket", "WebSocket", "services", "🔌", 4, "A long-lived bidirectional connection."),
    _c("worker", "Worker", "services", "🛠️", 50, "Background job processor.", role="function"),
    # data stores
    _c(
        "postgresql",
        "PostgreSQL",
        "data",
        "🐘",
        12,
        "Relational database.",
        role="store",
        db__system__name="postgresql",
    ),
    _c(
        "mongodb", "MongoDB", "data", "🍃", 10, "Document database.", role="store", db__system__name="mongodb"
    ),
    _c(
        "redis",
        "Redis",
        "data",
        "⚡",
        2,
        "In-memory key-value store.",
        role="store",
        db__system__name="redis",
    ),
    _c(
        "elasticsearch",
        "Elasticsearch",
        "data",
        "🔎",
        25,
        "Search index.",
        role="store",
        db__system__name="elasticsearch",
    ),
    _c(
        "vector-db",
        "Vector DB",
        "data",
        "🧭",
        40,
        "Nearest-neighbour search over embeddings.",
        role="store",
        db__system__name="vector-db",
    ),
    # AI
    _c(
        "llm-api",
        "LLM API",
        "ai",
        "🤖",
        1500,
        "A hosted language model (OpenAI, Groq, ...).",
        role="external",
        gen_ai__system="openai",
    ),
    # messaging
    _c(
        "kafka",
        "Kafka",
        "messaging",
        "📨",
        5,
        "Partitioned, replayable event log.",
        role="broker",
        mode="async",
        messaging__system="kafka",
    ),
    _c(
        "rabbitmq",
        "RabbitMQ",
        "messaging",
        "🐇",
        3,
        "Message broker with work queues.",
        role="broker",
        mode="async",
        messaging__system="rabbitmq",
    ),
    _c(
        "pubsub",
        "Pub/Sub",
        "messaging",
        "📡",
        8,
        "Google Cloud Pub/Sub topics.",
        role="broker",
        mode="async",
        messaging__system="gcp_pubsub",
    ),
    # external
    _c(
        "stripe",
        "Stripe",
        "external",
        "💳",
        300,
        "Payments API.",
        role="external",
        server__address="api.stripe.com",
    ),
    _c(
        "email-api",
        "Email API",
        "external",
        "✉️",
        120,
        "Transactional email (SendGrid, SES).",
        role="external",
    ),
    _c(
        "twilio",
        "Twilio",
        "external",
        "💬",
        250,
        "SMS and voice API.",
        role="external",
        server__address="api.twilio.com",
    ),
    _c(
        "analytics",
        "Analytics",
        "external",
        "📊",
        40,
        "Product analytics (Mixpanel, Segment).",
        role="external",
    ),
    # observability
    _c("prometheus", "Prometheus", "observability", "🔥", 3, "Metrics.", role="store"),
    _c("jaeger", "Jaeger", "observability", "🕵️", 4, "Traces.", role="store"),
    _c("loki", "Loki", "observability", "📜", 6, "Logs.", role="store"),
    # infra
    _c("vault", "Vault", "infra", "🗝️", 25, "Secrets and dynamic credentials.", role="external"),
    _c(
        "feature-flags",
        "Feature Flags",
        "infra",
        "🚩",
        15,
        "Flag evaluation (LaunchDarkly).",
        role="external",
    ),
    # aws
    _c(
        "lambda",
        "Lambda",
        "aws",
        "λ",
        60,
        "A serverless function.",
        role="function",
        faas__trigger="http",
        cloud__provider="aws",
    ),
    _c(
        "dynamodb",
        "DynamoDB",
        "aws",
        "🗃️",
        8,
        "Key-value and document store.",
        role="store",
        db__system__name="aws.dynamodb",
        cloud__provider="aws",
    ),
    _c(
        "step-functions",
        "Step Functions",
        "aws",
        "🪜",
        20,
        "State machine orchestration.",
        cloud__provider="aws",
    ),
    _c(
        "eventbridge",
        "EventBridge",
        "aws",
        "🚌",
        10,
        "Serverless event bus with rules.",
        role="broker",
        mode="async",
        messaging__system="aws.eventbridge",
        cloud__provider="aws",
    ),
    _c(
        "sns",
        "SNS",
        "aws",
        "📣",
        10,
        "Pub/sub notifications.",
        role="broker",
        mode="async",
        messaging__system="aws.sns",
        cloud__provider="aws",
    ),
    _c(
        "sqs",
        "SQS",
        "aws",
        "📥",
        10,
        "Managed message queue.",
        role="broker",
        mode="async",
        messaging__system="aws_sqs",
        cloud__provider="aws",
    ),
    _c(
        "s3", "S3", "aws", "🪣", 45, "Object storage.", role="store", cloud__provider="aws", rpc__service="S3"
    ),
    # security
    _c("waf", "WAF", "security", "🛡️", 3, "Web application firewall.", role="proxy"),
    # containers
    _c("docker", "Docker", "containers", "🐳", 20, "A containerised service."),
    _c("k8s-service", "K8s Service", "containers", "☸️", 1, "Kubernetes Service (virtual IP).", role="proxy"),
    _c(
        "envoy",
        "Envoy Sidecar",
        "containers",
        "🔷",
        1,
        "Sidecar proxy: mTLS, retries, tracing.",
        role="proxy",
    ),
    # additions the built-in scenarios need (not in the original 40)
    _c("browser", "Browser", "clients", "🧑‍💻", 5, "A user in a web browser.", role="client"),
    _c("attacker", "Attacker", "clients", "🦹", 5, "A malicious client.", role="client"),
    _c("external-api", "External API", "external", "🌍", 200, "A third-party HTTP API.", role="external"),
    _c("debezium", "Debezium", "messaging", "🪝", 15, "Change data capture from a database log."),
    _c(
        "event-store",
        "Event Store",
        "data",
        "📚",
        15,
        "Append-only event log.",
        role="store",
        db__system__name="eventstoredb",
    ),
    _c("ingress", "Ingress", "containers", "🚦", 2, "Kubernetes ingress controller.", role="proxy"),
    _c("pod", "Pod", "containers", "📦", 20, "A Kubernetes pod running the service."),
)

BY_ID: dict[str, Component] = {c.id: c for c in COMPONENTS}


def get(component_id: str) -> Component | None:
    return BY_ID.get(component_id)


def by_category() -> list[tuple[str, str, list[Component]]]:
    """Categories in display order, each with its components."""
    return [(cid, label, [c for c in COMPONENTS if c.category == cid]) for cid, label in CATEGORIES]
