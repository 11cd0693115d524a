"""Choosing the provider, the model and the key (no network: nothing here sends a request)."""

from __future__ import annotations

import pytest

from traceplay.config import Settings
from traceplay.errors import LLMError, NeedsKeyError, NotFoundError
from traceplay.llm import PROVIDERS, build_llm, get_provider, llm_status


def test_the_presets() -> None:
    urls = {p.id: p.base_url for p in PROVIDERS}
    assert urls == {
        "groq": "https://api.groq.com/openai/v1",
        "gemini": "https://generativelanguage.googleapis.com/v1beta/openai",
        "openai": "https://api.openai.com/v1",
        "ollama": "http://localhost:11434/v1",
        "custom": None,
    }
    assert {p.id: p.key_env for p in PROVIDERS if p.needs_key} == {
        "groq": "GROQ_API_KEY", "gemini": "GEMINI_API_KEY", "openai": "OPENAI_API_KEY"
    }  # fmt: skip
    with pytest.raises(NotFoundError):
        get_provider("skynet")


def test_nothing_configured_needs_a_key() -> None:
    with pytest.raises(NeedsKeyError, match="no language model is configured"):
        build_llm(Settings(llm_provider="none"), env={})


def test_the_provider_key_variable_is_used() -> None:
    llm = build_llm(Settings(llm_provider="groq"), env={"GROQ_API_KEY": "gk"})
    assert (llm.provider, llm.model, llm.base_url) == (
        "groq",
        "llama-3.3-70b-versatile",
        "https://api.groq.com/openai/v1",
    )
    assert "gk" not in repr(llm)


def test_the_request_key_and_model_win() -> None:
    llm = build_llm(Settings(llm_provider="gemini", llm_model="gemini-x"), api_key="user", model="m2", env={})
    assert llm.model == "m2" and llm._key == "user"


def test_a_configured_key_is_never_sent_to_another_provider() -> None:
    settings = Settings(llm_provider="groq", llm_api_key="groq-secret", llm_model="g-model")
    other = build_llm(settings, provider="ollama", env={})
    assert other._key is None and other.model == "llama3.2" and other.base_url == "http://localhost:11434/v1"
    with pytest.raises(NeedsKeyError, match="OpenAI needs an API key"):
        build_llm(settings, provider="openai", env={})


def test_custom_needs_an_endpoint_and_a_model() -> None:
    with pytest.raises(LLMError, match="needs an endpoint"):
        build_llm(Settings(llm_provider="custom"), env={})
    with pytest.raises(LLMError, match="no model chosen"):
        build_llm(Settings(llm_provider="custom", llm_base_url="http://127.0.0.1:1/v1"), env={})
    llm = build_llm(
        Settings(llm_provider="custom", llm_base_url="http://127.0.0.1:1/v1/", llm_model="x"), env={}
    )
    assert llm.base_url == "http://127.0.0.1:1/v1" and llm._key is None


def test_the_timeout_comes_from_the_settings() -> None:
    assert build_llm(Settings(llm_provider="ollama", llm_timeout_s=3.5), env={}).timeout_s == 3.5


def test_status_says_what_is_ready_not_the_key() -> None:
    status = llm_status(Settings(llm_provider="openai"), env={"OPENAI_API_KEY": "sk-1"})
    assert status["configured"] is True and status["model"] == "gpt-4o-mini"
    assert "sk-1" not in str(status)
    missing = llm_status(Settings(llm_provider="openai"), env={})
    assert missing["configured"] is False and missing["model"] == "gpt-4o-mini"
    by_id = {p["id"]: p for p in missing["providers"]}
    assert by_id["ollama"]["key_configured"] is True and by_id["custom"]["available"] is False
