"""Language models for the AI analysis (I/O at the edge: HTTP to a provider).

One OpenAI-compatible chat-completions adapter (``client.ChatClient``) with presets in a registry
(``providers.PROVIDERS``: Groq, Gemini, OpenAI, Ollama, custom), chosen by ``config.build_llm`` from the
settings or a request; ``prompt.build_messages`` turns a trace and its analysis into a bounded prompt;
``fake.FakeLLM`` is the scriptable stand-in for tests.
"""

from __future__ import annotations

from traceplay.llm.base import LLM, Message
from traceplay.llm.client import ChatClient
from traceplay.llm.config import build_llm, llm_status
from traceplay.llm.fake import FakeLLM
from traceplay.llm.prompt import build_messages
from traceplay.llm.providers import PROVIDERS, Provider, get_provider

__all__ = [
    "LLM",
    "PROVIDERS",
    "ChatClient",
    "FakeLLM",
    "Message",
    "Provider",
    "build_llm",
    "build_messages",
    "get_provider",
    "llm_status",
]
