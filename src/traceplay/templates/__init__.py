"""The built-in scenarios: read-only package data, one YAML file per scenario, validated on load.

A broken built-in fails the test suite (``tests/unit/test_templates.py`` loads every one), never a
user's page.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from traceplay.domain.flow import Flow
from traceplay.errors import NotFoundError, Problem
from traceplay.loader import flow_from_text

# roadmap order: from first steps to advanced patterns
ORDER: tuple[str, ...] = (
    "simple", "redis-cache", "stripe-api", "kafka-fanout", "sqs-async", "upload-s3",
    "api-gateway-microservices", "rag-pipeline", "realtime-chat", "load-balanced-api", "search-sync",
    "graphql-federation", "grpc-interservice", "ai-agent-tools", "saga", "cqrs-event-sourcing",
    "oauth2-login", "webhook-receiver", "background-jobs", "cdc-pipeline", "observability-stack",
    "secrets-management", "feature-flag-rollout", "rabbitmq-work-queue", "pubsub-multi-region",
    "sms-twilio", "product-analytics", "lambda-api-gateway", "s3-event-lambda", "step-functions-saga",
    "eventbridge-routing", "dynamodb-single-table", "rate-limiting", "jwt-idor", "mtls", "waf-owasp",
    "k8s-pod-service", "service-mesh", "read-replicas", "zero-downtime-migration", "db-sharding",
    "circuit-breaker", "bulkhead",
)  # fmt: skip


def template_ids() -> list[str]:
    """Ids of the built-ins that ship with this package, in roadmap order."""
    present = {p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".yaml")}
    ordered = [t for t in ORDER if t in present]
    return ordered + sorted(present - set(ordered))


@cache
def get_template(template_id: str) -> Flow:
    """One built-in scenario, validated. Raises NotFoundError for an unknown id."""
    if template_id not in template_ids():
        raise NotFoundError(
            f"unknown scenario '{template_id}'",
            [Problem("run `traceplay templates` for the list", "template")],
        )
    name = f"{template_id}.yaml"
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return flow_from_text(text, f"templates/{name}")


def all_templates() -> list[Flow]:
    return [get_template(t) for t in template_ids()]


def summary(flow: Flow) -> dict[str, object]:
    """What a scenario list shows: id, name, category, description and variants."""
    return {
        "id": flow.id,
        "name": flow.name,
        "category": flow.category,
        "description": flow.description,
        "variants": [
            {"id": vid, "title": v.title, "summary": v.summary, "severity": v.severity}
            for vid, v in flow.variants.items()
        ],
    }
