"""The language-model providers: a registry of small records, every one spoken to through the same
OpenAI-compatible chat-completions adapter (``client.py``). A new preset is one more record here."""

from __future__ import annotations

from dataclasses import dataclass

from traceplay.errors import NotFoundError, Problem


@dataclass(frozen=True)
class Provider:
    id: str
    label: str
    base_url: str | None  # None: the operator gives it (TRACEPLAY_LLM_BASE_URL)
    key_env: str | None  # the provider's usual environment variable for its key
    default_model: str | None
    needs_key: bool
    hint: str = ""  # what to do when it cannot be reached

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "default_model": self.default_model,
            "needs_key": self.needs_key,
            "key_env": self.key_env,
        }


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "groq",
        "Groq",
        "https://api.groq.com/openai/v1",
        "GROQ_API_KEY",
        "llama-3.3-70b-versatile",
        needs_key=True,
        hint="free keys at https://console.groq.com/keys",
    ),
    Provider(
        "gemini",
        "Google Gemini",
        "https://generativelanguage.googleapis.com/v1beta/openai",
        "GEMINI_API_KEY",
        "gemini-2.5-flash",
        needs_key=True,
        hint="free keys at https://aistudio.google.com/apikey",
    ),
    Provider(
        "openai", "OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini", needs_key=True
    ),
    Provider(
        "ollama",
        "Ollama (local)",
        "http://localhost:11434/v1",
        None,
        "llama3.2",
        needs_key=False,
        hint="is Ollama running? start it with `ollama serve` and `ollama pull llama3.2`",
    ),
    Provider("custom", "Custom OpenAI-compatible endpoint", None, None, None, needs_key=False),
)

BY_ID: dict[str, Provider] = {p.id: p for p in PROVIDERS}


def get_provider(provider_id: str) -> Provider:
    provider = BY_ID.get(provider_id)
    if provider is None:
        raise NotFoundError(
            f"unknown language-model provider '{provider_id}'",
            [Problem(f"choose one of: {', '.join(BY_ID)}", "provider")],
        )
    return provider
