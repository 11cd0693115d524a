"""Stories of the scenarios written first: simple and redis-cache."""

from __future__ import annotations

import pytest

from tests.unit.scenarios.story import S, Story, check_story

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
