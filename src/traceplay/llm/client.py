"""One adapter for every provider: OpenAI-compatible chat completions over HTTP (httpx).

``complete`` posts ``/chat/completions`` and reads ``choices[0].message.content``; ``stream`` posts the
same with ``"stream": true`` and reads server-sent events (``data: {...}`` chunks with
``choices[0].delta.content``, ending with ``data: [DONE]``). A provider that ignores ``stream`` and
answers JSON is read as one chunk.

Every failure becomes one clear ``LLMError``: a missing or rejected key is a ``NeedsKeyError``; a
timeout, a 429 (with its Retry-After), a 5xx, a refused connection and a malformed answer each say
so in words. Two clocks bound a request: ``timeout_s`` for connecting and for each read, and
``deadline_s`` for the whole answer, so a provider that trickles a byte at a time cannot hold a
request (and a server thread) forever. The API key goes in the Authorization header only: it is
never logged, and it is scrubbed from any message built from a provider's answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from traceplay.errors import LLMError, NeedsKeyError
from traceplay.llm.base import Message

MAX_ERROR_TEXT = 300
MIN_DEADLINE_S = 60.0  # the whole answer; a long one streams for a minute at most providers' speed


class ChatClient:
    """An OpenAI-compatible chat-completions endpoint with one model and (maybe) one key."""

    def __init__(
        self,
        *,
        provider: str,
        label: str,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        deadline_s: float | None = None,
        max_tokens: int = 1200,
        temperature: float = 0.2,
        hint: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._provider = provider
        self.label = label
        self.base_url = base_url.rstrip("/")
        self._model = model
        self._key = api_key or None
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s if deadline_s is not None else max(MIN_DEADLINE_S, 4 * timeout_s)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.hint = hint
        self._transport = transport

    @property
    def provider(self) -> str:
        return self._provider

    @property
    def model(self) -> str:
        return self._model

    def __repr__(self) -> str:  # never the key
        return f"ChatClient(provider={self._provider!r}, model={self._model!r}, base_url={self.base_url!r})"

    # -- public -------------------------------------------------------------------------------------

    async def complete(self, messages: list[Message]) -> str:
        deadline = time.monotonic() + self.deadline_s
        async with self._client() as client:
            try:
                async with client.stream(
                    "POST", "/chat/completions", json=self._payload(messages, stream=False)
                ) as resp:
                    text = await self._read(resp, deadline)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc) from None
            if resp.status_code != 200:
                raise self._status_error(resp.status_code, text, resp.headers)
            return self._content(self._json(text))

    async def stream(self, messages: list[Message]) -> AsyncIterator[str]:
        got_any = False
        deadline = time.monotonic() + self.deadline_s
        async with self._client() as client:
            try:
                async with client.stream(
                    "POST", "/chat/completions", json=self._payload(messages, stream=True)
                ) as resp:
                    if resp.status_code != 200:
                        body = await self._read(resp, deadline)
                        raise self._status_error(resp.status_code, body, resp.headers)
                    if "text/event-stream" not in resp.headers.get("content-type", ""):
                        text = self._content(self._json(await self._read(resp, deadline)))
                        got_any = True
                        yield text
                        return
                    async for piece in self._events(resp, deadline):
                        got_any = True
                        yield piece
            except httpx.HTTPError as exc:
                raise self._transport_error(exc) from None
        if not got_any:
            raise LLMError(f"{self.label} sent an empty answer (model {self._model})")

    # -- HTTP ---------------------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        headers = {"Accept": "application/json, text/event-stream"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeout_s),
            transport=self._transport,
            follow_redirects=False,
        )

    def _payload(self, messages: list[Message], *, stream: bool) -> dict[str, Any]:
        return {
            "model": self._model,
            "messages": list(messages),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": stream,
        }

    async def _read(self, resp: httpx.Response, deadline: float) -> str:
        """The whole body, chunk by chunk, within the deadline."""
        chunks = []
        async for chunk in resp.aiter_bytes():
            self._check_deadline(deadline)
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    async def _lines(self, resp: httpx.Response, deadline: float) -> AsyncIterator[str]:
        """The body's lines as they arrive; the deadline is checked on every chunk, not every line, so
        a line that never ends cannot outlast it."""
        pending = ""
        async for text in resp.aiter_text():
            self._check_deadline(deadline)
            pending += text
            *lines, pending = pending.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for line in lines:
                yield line
        if pending:
            yield pending

    def _check_deadline(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise LLMError(
                f"{self.label} did not finish its answer within {self.deadline_s:g} s (model {self._model})"
            )

    async def _events(self, resp: httpx.Response, deadline: float) -> AsyncIterator[str]:
        """Server-sent events: ``data:`` lines carry JSON chunks; ``[DONE]`` ends; comments are skipped."""
        async for line in self._lines(resp, deadline):
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" names
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = self._json(data)
            if "error" in chunk:
                raise LLMError(f"{self.label} failed mid-answer: {self._error_message(chunk)}")
            choices = chunk.get("choices")
            if not isinstance(choices, list):
                raise self._malformed("a stream chunk without choices")
            for choice in choices:
                delta = choice.get("delta") if isinstance(choice, dict) else None
                content = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(content, str) and content:
                    yield content

    # -- reading answers ----------------------------------------------------------------------------

    def _json(self, text: str) -> dict[str, Any]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise self._malformed(f"not JSON: {self._scrub(text[:80])!r}") from None
        if not isinstance(data, dict):
            raise self._malformed("not a JSON object")
        return data

    def _content(self, data: dict[str, Any]) -> str:
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            if "error" in data:
                raise LLMError(f"{self.label} failed: {self._error_message(data)}") from None
            raise self._malformed("no choices[0].message.content") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError(f"{self.label} sent an empty answer (model {self._model})")
        return content

    # -- errors -------------------------------------------------------------------------------------

    def _malformed(self, what: str) -> LLMError:
        return LLMError(
            f"{self.label} sent a malformed answer ({what}); is {self.base_url} OpenAI-compatible?"
        )

    def _transport_error(self, exc: httpx.HTTPError) -> LLMError:
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(f"{self.label} did not answer within {self.timeout_s:g} s (model {self._model})")
        if isinstance(exc, httpx.ConnectError):
            hint = f"; {self.hint}" if self.hint and "localhost" in self.base_url else ""
            return LLMError(f"cannot reach {self.label} at {self.base_url}{hint}")
        return LLMError(
            f"the connection to {self.label} failed: {self._scrub(str(exc)) or type(exc).__name__}"
        )

    def _status_error(self, status: int, body: str, headers: httpx.Headers) -> LLMError:
        message = self._error_message(self._try_json(body)) if body else ""
        said = f": {message}" if message else ""
        if status in (401, 403):
            return NeedsKeyError(f"{self.label} rejected the API key ({status}){said}")
        if status == 429:
            retry = headers.get("retry-after", "")
            wait = f"; retry after {retry} s" if retry.isdigit() else ""
            return LLMError(f"{self.label} is rate-limiting requests (429){wait}{said}")
        if status == 404:
            return LLMError(
                f"{self.label} answered 404: check the model '{self._model}' and the base URL{said}"
            )
        if status >= 500:
            return LLMError(f"{self.label} failed with {status} (a problem on their side){said}")
        return LLMError(f"{self.label} refused the request ({status}){said}")

    def _try_json(self, text: str) -> dict[str, Any] | str:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text
        return data if isinstance(data, dict) else text

    def _error_message(self, data: dict[str, Any] | str) -> str:
        """The provider's own words: ``{"error": {"message": ...}}`` (OpenAI), ``[{"error": ...}]`` (Gemini)
        or plain text — short, and without the key."""
        if isinstance(data, dict):
            err = data.get("error", data)
            text = err.get("message") if isinstance(err, dict) else err
            text = text if isinstance(text, str) else json.dumps(err)[:MAX_ERROR_TEXT]
        else:
            text = data
        text = " ".join(text.split())
        if len(text) > MAX_ERROR_TEXT:
            text = text[: MAX_ERROR_TEXT - 1] + "…"
        return self._scrub(text)

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[key]") if self._key else text
