"""What the web app needs from a language model: a name, a model, and a stream of text.

``ChatClient`` (the OpenAI-compatible adapter) and ``FakeLLM`` (for tests) both fit this protocol;
``create_app(llm=...)`` takes either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal, Protocol, TypedDict


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class LLM(Protocol):
    @property
    def provider(self) -> str: ...

    @property
    def model(self) -> str: ...

    def stream(self, messages: list[Message]) -> AsyncIterator[str]:
        """The answer, piece by piece. Raises ``LLMError`` (or ``NeedsKeyError``) when it cannot."""
        ...

    async def complete(self, messages: list[Message]) -> str:
        """The whole answer at once."""
        ...
