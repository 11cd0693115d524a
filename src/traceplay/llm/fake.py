"""A scriptable language model for tests: no network, the same protocol as ``ChatClient``.

    FakeLLM(["Hello", " world"])                 # streams two pieces
    FakeLLM(error=LLMError("rate limited"))      # fails before the first piece
    FakeLLM(["partial"], error=LLMError("..."))  # fails after the pieces
Every call's messages are kept in ``calls`` so a test can check the prompt.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from traceplay.errors import LLMError
from traceplay.llm.base import Message


class FakeLLM:
    def __init__(
        self,
        chunks: Sequence[str] = ("The trace looks fine.",),
        *,
        error: LLMError | None = None,
        provider: str = "fake",
        model: str = "fake-1",
    ) -> None:
        self.chunks = list(chunks)
        self.error = error
        self._provider = provider
        self._model = model
        self.calls: list[list[Message]] = []

    @property
    def provider(self) -> str:
        return self._provider

    @property
    def model(self) -> str:
        return self._model

    async def stream(self, messages: list[Message]) -> AsyncIterator[str]:
        self.calls.append(list(messages))
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error

    async def complete(self, messages: list[Message]) -> str:
        return "".join([piece async for piece in self.stream(messages)])
