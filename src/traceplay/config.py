"""One typed configuration, read from ``TRACEPLAY_*`` environment variables.

Every setting is documented in the README's "Configuration" table; a test fails when one is missing
there. Bad values fail loudly at start-up with the variable's name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceplay.errors import ConfigError, Problem


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACEPLAY_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Interface `traceplay serve` binds.")
    port: int = Field(8000, ge=0, le=65535, description="Port `traceplay serve` listens on.")
    max_body_bytes: int = Field(1_048_576, gt=0, description="Largest request body the API accepts.")
    max_import_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="Largest trace file the importers read."
    )
    max_spans: int = Field(200_000, gt=0, description="Most spans one simulation or import may hold.")
    max_nodes: int = Field(20_000, gt=0, description="Most nodes a flow may have.")
    max_edges: int = Field(100_000, gt=0, description="Most edges a flow may have.")
    llm_provider: Literal["none", "groq", "gemini", "openai", "ollama", "custom"] = Field(
        "none", description="Language model for the AI analysis; `none` keeps the rule-based one only."
    )
    llm_model: str | None = Field(None, description="Model name; each provider has a default.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (overrides the preset).")
    llm_api_key: SecretStr | None = Field(
        None, description="API key; else the provider's usual variable (GROQ_API_KEY, GEMINI_API_KEY ...)."
    )
    llm_timeout_s: float = Field(30.0, gt=0, description="Timeout of one language-model request.")
    otlp_timeout_s: float = Field(10.0, gt=0, description="Timeout of one OTLP push (`traceplay emit`).")


def load_settings() -> Settings:
    """The settings from the environment, or a ConfigError naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            Problem(err["msg"], loc=f"TRACEPLAY_{'_'.join(str(p) for p in err['loc']).upper()}")
            for err in exc.errors()
        ]
        raise ConfigError("bad configuration in the environment", problems) from None
