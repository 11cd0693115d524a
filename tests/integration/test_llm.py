"""The OpenAI-compatible adapter against a real chat-completions server on loopback: normal, streamed,
429, 500, slow (timeout), garbage — a real HTTP exchange, nothing patched."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from tests.integration.llm_server import ANSWER, SLOW_S, ChatServer, start
from traceplay.config import Settings
from traceplay.errors import LLMError, NeedsKeyError
from traceplay.llm import ChatClient, Message, build_llm

MESSAGES: list[Message] = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "why?"}]
KEY = "sk-test-abcdef123456"


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    s = start()
    yield s
    s.close()


def client(server: ChatServer, mode: str, *, timeout_s: float = 5.0, key: str | None = KEY) -> ChatClient:
    return ChatClient(
        provider="custom", label="Test LLM", base_url=server.base_url(mode), model="test-model",
        api_key=key, timeout_s=timeout_s,
    )  # fmt: skip


def collect(c: ChatClient) -> list[str]:
    async def go() -> list[str]:
        return [piece async for piece in c.stream(MESSAGES)]

    return asyncio.run(go())


def test_complete_posts_the_chat_and_reads_the_answer(server: ChatServer) -> None:
    assert asyncio.run(client(server, "normal").complete(MESSAGES)) == "".join(ANSWER)
    seen = server.seen[-1]
    assert seen.path.endswith("/normal/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.body["model"] == "test-model" and seen.body["messages"] == MESSAGES
    assert seen.body["stream"] is False


def test_stream_yields_the_pieces_in_order(server: ChatServer) -> None:
    assert collect(client(server, "normal")) == ANSWER
    assert server.seen[-1].body["stream"] is True


def test_no_key_no_authorization_header(server: ChatServer) -> None:
    asyncio.run(client(server, "normal", key=None).complete(MESSAGES))
    assert "authorization" not in server.seen[-1].headers


def test_a_provider_that_ignores_stream_is_read_whole(server: ChatServer) -> None:
    assert collect(client(server, "json-for-stream")) == ["".join(ANSWER)]


@pytest.mark.parametrize("streamed", [False, True])
def test_429_says_rate_limited_with_retry_after(server: ChatServer, streamed: bool) -> None:
    c = client(server, "429")
    with pytest.raises(LLMError) as err:
        collect(c) if streamed else asyncio.run(c.complete(MESSAGES))
    assert "rate-limiting" in str(err.value) and "retry after 7 s" in str(err.value)
    assert "Rate limit reached" in str(err.value)


def test_500_is_a_problem_on_their_side(server: ChatServer) -> None:
    with pytest.raises(LLMError, match=r"failed with 500 .*upstream overloaded"):
        collect(client(server, "500"))


def test_slow_answers_time_out(server: ChatServer) -> None:
    c = client(server, "slow", timeout_s=0.3)
    with pytest.raises(LLMError, match=r"did not answer within 0.3 s"):
        asyncio.run(c.complete(MESSAGES))
    assert SLOW_S > 0.3


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("garbage", "malformed answer (not JSON"),
        ("garbage-stream", "malformed answer (not JSON"),
        ("stream-error", "failed mid-answer: model overloaded mid-stream"),
        ("empty", "empty answer"),
    ],
)
def test_garbage_is_a_clear_error(server: ChatServer, mode: str, words: str) -> None:
    with pytest.raises(LLMError) as err:
        collect(client(server, mode))
    assert words in str(err.value)


def test_a_rejected_key_asks_for_a_key_and_is_never_repeated(server: ChatServer) -> None:
    with pytest.raises(NeedsKeyError) as err:
        asyncio.run(client(server, "401").complete(MESSAGES))
    assert "rejected the API key (401)" in str(err.value)
    assert KEY not in str(err.value) and "[key]" in str(err.value)
    assert KEY not in repr(client(server, "401"))


def test_nothing_listening_is_a_clear_error() -> None:
    c = ChatClient(
        provider="ollama", label="Ollama", base_url="http://127.0.0.1:9/v1", model="m", hint="run it"
    )
    with pytest.raises(LLMError, match=r"cannot reach Ollama at http://127\.0\.0\.1:9/v1"):
        asyncio.run(c.complete(MESSAGES))


def test_wrong_model_or_path_is_a_404_hint(server: ChatServer) -> None:
    c = ChatClient(provider="custom", label="X", base_url=server.base_url("normal") + "/nope", model="m")
    with pytest.raises(LLMError, match="answered 404: check the model 'm'"):
        asyncio.run(c.complete(MESSAGES))


def test_settings_pick_provider_model_and_key_without_logging_it(
    server: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        llm_provider="custom", llm_base_url=server.base_url("normal"), llm_model="my-model", llm_api_key=KEY
    )
    caplog.set_level(logging.DEBUG)
    llm = build_llm(settings, env={})
    assert (llm.provider, llm.model) == ("custom", "my-model")
    assert collect(llm) == ANSWER
    assert server.seen[-1].headers["authorization"] == f"Bearer {KEY}"
    assert server.seen[-1].body["model"] == "my-model"
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_a_missing_key_is_needs_key_before_any_request(server: ChatServer) -> None:
    before = len(server.seen)
    with pytest.raises(NeedsKeyError, match="Groq needs an API key"):
        build_llm(Settings(llm_provider="groq"), env={})
    assert len(server.seen) == before
