"""From configuration to a language model: which provider, which model, which key.

The provider is the request's choice, else ``TRACEPLAY_LLM_PROVIDER``. Its key, in order: the key the
user sent with this request (used for that request only, never stored), ``TRACEPLAY_LLM_API_KEY`` when
the provider is the configured one (a key meant for one provider is never sent to another), then the
provider's usual variable (``GROQ_API_KEY``, ``GEMINI_API_KEY``, ``OPENAI_API_KEY``). The model: the
request's, else ``TRACEPLAY_LLM_MODEL`` for the configured provider, else the provider's default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

from traceplay.config import Settings
from traceplay.errors import LLMError, NeedsKeyError, Problem
from traceplay.llm.client import ChatClient
from traceplay.llm.providers import PROVIDERS, Provider, get_provider


def build_llm(
    settings: Settings,
    *,
    provider: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ChatClient:
    """The chat client for one request; raises ``NeedsKeyError`` when nothing is configured or the
    provider needs a key nobody gave."""
    env = os.environ if env is None else env
    pid = provider or settings.llm_provider
    if pid == "none":
        raise NeedsKeyError(
            "no language model is configured",
            [Problem("choose a provider and enter an API key, or set TRACEPLAY_LLM_PROVIDER", "provider")],
        )
    p = get_provider(pid)
    configured = pid == settings.llm_provider
    base_url = (settings.llm_base_url if configured else None) or p.base_url
    if base_url is None:
        raise LLMError(
            f"the '{pid}' provider needs an endpoint",
            [Problem("set TRACEPLAY_LLM_BASE_URL to an OpenAI-compatible /v1 URL", "provider")],
        )
    key = api_key or _server_key(settings, p, env)
    if p.needs_key and not key:
        where = f"set {p.key_env} (or TRACEPLAY_LLM_API_KEY)" if p.key_env else "set TRACEPLAY_LLM_API_KEY"
        hint = f"; {p.hint}" if p.hint else ""
        raise NeedsKeyError(f"{p.label} needs an API key", [Problem(f"enter your own key, or {where}{hint}")])
    name = model or (settings.llm_model if configured else None) or p.default_model
    if not name:
        raise LLMError(f"no model chosen for {p.label}", [Problem("set TRACEPLAY_LLM_MODEL", "model")])
    return ChatClient(
        provider=p.id,
        label=p.label,
        base_url=base_url,
        model=name,
        api_key=key,
        timeout_s=settings.llm_timeout_s,
        hint=p.hint,
        transport=transport,
    )


def _server_key(settings: Settings, p: Provider, env: Mapping[str, str]) -> str | None:
    if settings.llm_provider == p.id and settings.llm_api_key is not None:
        value = settings.llm_api_key.get_secret_value()
        if value:
            return value
    if p.key_env:
        return env.get(p.key_env) or None
    return None


def llm_status(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What GET /api/llm/status answers: is the server's own model ready, and which providers exist.
    Says whether a key is configured, never the key."""
    env = os.environ if env is None else env
    configured, model = False, None
    if settings.llm_provider != "none":
        try:
            client = build_llm(settings, env=env)
        except LLMError:
            model = settings.llm_model or get_provider(settings.llm_provider).default_model
        else:
            configured, model = True, client.model
    providers = []
    for p in PROVIDERS:
        item = p.as_dict()
        item["key_configured"] = bool(_server_key(settings, p, env)) if p.needs_key else True
        item["available"] = p.base_url is not None or (
            p.id == settings.llm_provider and bool(settings.llm_base_url)
        )
        providers.append(item)
    return {
        "configured": configured,
        "provider": settings.llm_provider,
        "model": model,
        "providers": providers,
    }
