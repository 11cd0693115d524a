"""Stories of the scenarios written first: simple and redis-cache."""

from __future__ import annotations

import pytest

from tests.unit.scenarios.story import S, Story, check_story
from traceplay.domain.trace import Trace

STORIES = {
    ("simple", "success"): Story(spans=S("frontend", "backend", "db")),
    ("simple", "slow"): Story(spans=S("db")),
    ("simple", "error"): Story(status="error", failing=S("db", "backend", "frontend"), origin="db"),
    ("redis-cache", "success"): Story(spans=S("redis"), no_spans=S("db")),
    ("redis-cache", "slow"): Story(spans=S("redis", "db"), counts={"redis": 2}),
    ("redis-cache", "error"): Story(failing=S("redis"), origin="redis", spans=S("db")),
}


@pytest.mark.parametrize(("template_id", "variant"), sorted(STORIES))
def test_story(template_id: str, variant: str) -> None:
    check_story(template_id, variant, STORIES[(template_id, variant)])


def cache_hit_by_edge(trace: Trace) -> dict[str | None, object]:
    return {s.edge_id: s.attributes.get("cache.hit") for s in trace.spans if s.node_id == "redis"}


def test_cache_hit_is_a_fact_of_the_lookup_not_of_the_write_back() -> None:
    hit = check_story("redis-cache", "success", STORIES[("redis-cache", "success")])
    assert cache_hit_by_edge(hit) == {"be-redis": True}
    miss = check_story("redis-cache", "slow", STORIES[("redis-cache", "slow")])
    assert cache_hit_by_edge(miss) == {"be-redis": False, "be-redis-set": None}
