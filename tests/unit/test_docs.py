"""The docs speak of what the product has: every scenario, every docs page linked from the README."""

from __future__ import annotations

import re
from pathlib import Path

from traceplay.templates import all_templates

ROOT = Path(__file__).resolve().parents[2]


def test_every_scenario_is_in_the_scenarios_page() -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    missing = [f.id for f in all_templates() if f"(`{f.id}`)" not in text or f.name not in text]
    assert missing == []


def test_readme_links_point_at_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?!https?:)[^)#]+)\)", readme)
    assert links
    assert [link for link in links if not (ROOT / link).exists()] == []
