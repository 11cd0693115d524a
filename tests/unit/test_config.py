"""Every setting is documented in the README, and bad values fail loudly with their name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from traceplay.config import Settings, load_settings
from traceplay.errors import ConfigError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        f"TRACEPLAY_{name.upper()}"
        for name in Settings.model_fields
        if f"`TRACEPLAY_{name.upper()}`" not in text
    ]
    assert missing == []


def test_environment_is_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEPLAY_PORT", "9123")
    monkeypatch.setenv("TRACEPLAY_LLM_PROVIDER", "groq")
    settings = Settings()
    assert settings.port == 9123 and settings.llm_provider == "groq"


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEPLAY_MAX_BODY_BYTES", "lots")
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings()


def test_load_settings_turns_bad_values_into_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEPLAY_PORT", "-1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.problems[0].loc == "TRACEPLAY_PORT"
