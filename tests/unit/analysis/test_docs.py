"""docs/analysis.md documents every rule, every provider and every setting of the AI analysis."""

from __future__ import annotations

from pathlib import Path

from traceplay.config import Settings
from traceplay.domain.analysis import RULES
from traceplay.llm import PROVIDERS

DOC = (Path(__file__).parents[3] / "docs" / "analysis.md").read_text(encoding="utf-8")


def test_every_rule_has_a_row_and_a_section() -> None:
    for rule in RULES:
        assert f"| `{rule.id}` |" in DOC, rule.id
        assert f"### `{rule.id}`" in DOC, rule.id


def test_every_provider_and_its_key_variable_is_documented() -> None:
    for p in PROVIDERS:
        assert f"| `{p.id}` |" in DOC, p.id
        if p.base_url:
            assert p.base_url in DOC
        if p.key_env:
            assert p.key_env in DOC
        if p.default_model:
            assert p.default_model in DOC


def test_every_llm_setting_is_documented() -> None:
    for name in Settings.model_fields:
        if name.startswith("llm_"):
            assert f"TRACEPLAY_{name.upper()}" in DOC, name
