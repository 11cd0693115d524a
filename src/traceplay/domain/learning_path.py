"""A suggested path through the built-in scenarios: levels from first steps to advanced patterns.

``learning_path(flows, order)`` sorts the scenarios it is given into ``LEVELS``: a scenario named by a
level goes there; any other goes to the first level of its category; what no level claims lands in a
last "More scenarios" level, so a new scenario is never lost. Within a level, scenarios keep ``order``
(the roadmap order, ``traceplay.templates.ORDER``). Pure: the caller passes the scenarios in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from traceplay.domain.flow import Flow


@dataclass(frozen=True)
class LevelSpec:
    id: str
    title: str
    summary: str  # one line: what this level teaches
    categories: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()  # named here, whatever their category


LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec(
        "first-steps",
        "First steps",
        "Read a waterfall: a parent waits for its children, and the slowest child decides the response time.",
        ("basics",),
    ),
    LevelSpec(
        "dependencies",
        "Depending on others",
        "Calls to services and third parties: fan-out, timeouts, retries, and one slow branch holding "
        "everyone.",
        ("resilience",),
    ),
    LevelSpec(
        "async",
        "Asynchronous work",
        "Queues and topics: the caller gets its answer before the work is done — and 202 is not success.",
        ("messaging", "realtime"),
    ),
    LevelSpec(
        "data",
        "Data and consistency",
        "Databases, search and object storage: dual writes, lag, and what eventual consistency looks like.",
        ("data",),
    ),
    LevelSpec(
        "ai",
        "AI pipelines",
        "Retrieval, generation and agents: long external calls, loops of calls, and where each step fails.",
        ("ai",),
    ),
    LevelSpec(
        "platform",
        "Platform and infrastructure",
        "Load balancers, gateways, meshes and observability: the hops between the services.",
        ("infra",),
    ),
    LevelSpec(
        "security",
        "Security in traces",
        "Logins, tokens, secrets and firewalls: what an accepted and a rejected request look like.",
        ("security",),
    ),
    LevelSpec(
        "serverless",
        "Serverless on AWS",
        "Functions, state machines and event buses: cold starts, managed retries and fan-out by rules.",
        ("aws",),
    ),
    LevelSpec(
        "advanced",
        "Advanced patterns",
        "Designs that contain failure and scale data: sagas, CQRS, replicas, sharding, migrations, "
        "circuit breakers and bulkheads.",
        (),
        (
            "saga",
            "cqrs-event-sourcing",
            "read-replicas",
            "zero-downtime-migration",
            "db-sharding",
            "circuit-breaker",
            "bulkhead",
        ),
    ),
)
MORE = LevelSpec("more", "More scenarios", "Scenarios no level above claims yet: explore them freely.")


class LevelScenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    category: str
    description: str


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    number: int = Field(description="1 for the first level")
    title: str
    summary: str
    scenarios: list[LevelScenario]


def learning_path(flows: Sequence[Flow], order: Sequence[str] = ()) -> list[Level]:
    """The scenarios in levels, first steps first; levels without scenarios are left out."""
    named = {sid: spec.id for spec in LEVELS for sid in spec.scenarios}
    by_category: dict[str, str] = {}
    for spec in LEVELS:
        for cat in spec.categories:
            by_category.setdefault(cat, spec.id)
    rank = {sid: n for n, sid in enumerate(order)}
    placed: dict[str, list[Flow]] = {}
    for flow in flows:
        level = named.get(flow.id) or by_category.get(flow.category) or MORE.id
        placed.setdefault(level, []).append(flow)
    out: list[Level] = []
    for spec in (*LEVELS, MORE):
        members = sorted(placed.get(spec.id, []), key=lambda f: (rank.get(f.id, len(rank)), f.id))
        if not members:
            continue
        out.append(
            Level(
                id=spec.id,
                number=len(out) + 1,
                title=spec.title,
                summary=spec.summary,
                scenarios=[
                    LevelScenario(id=f.id, name=f.name, category=f.category, description=f.description)
                    for f in members
                ],
            )
        )
    return out
