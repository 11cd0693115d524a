"""The prompt: built from the computed analysis, bounded for huge traces, asking not to invent."""

from __future__ import annotations

import asyncio

from tests.unit.analysis.tracekit import span, trace
from traceplay.domain.analysis import analyze
from traceplay.domain.simulate import simulate
from traceplay.errors import LLMError
from traceplay.llm import FakeLLM, build_messages
from traceplay.llm.prompt import MAX_PROMPT_CHARS
from traceplay.templates import get_template


def test_the_prompt_carries_the_computed_findings_and_numbers() -> None:
    flow = get_template("simple")
    t = simulate(flow, "error")
    a = analyze(t, flow)
    system, user = build_messages(t, a)
    assert system["role"] == "system" and "never invent" in system["content"].lower()
    text = user["content"]
    assert a.headline in text
    for f in a.findings:
        assert f.title in text
    assert "PostgreSQL" in text and "3.10 s" in text and "connection pool exhausted" in text


def test_a_huge_trace_gives_a_bounded_prompt() -> None:
    spans = [span("root", dur=100_000)] + [
        span(f"s{i}", "root", i, 50, service=f"svc{i % 300}", op=f"GET /item/{i} " + "x" * 200,
             status="error" if i % 10 == 0 else "ok", error="e" * 500 if i % 10 == 0 else None)
        for i in range(6_000)
    ]  # fmt: skip
    t = trace(*spans)
    _, user = build_messages(t, analyze(t))
    assert len(user["content"]) <= MAX_PROMPT_CHARS
    assert "6,001 spans" in user["content"] and "Services (301)" in user["content"]


def test_the_fake_model_is_scriptable() -> None:
    fake = FakeLLM(["a", "b"], error=LLMError("boom"))

    async def go() -> list[str]:
        out = []
        try:
            async for piece in fake.stream([{"role": "user", "content": "hi"}]):
                out.append(piece)
        except LLMError as exc:
            out.append(f"error: {exc.message}")
        return out

    assert asyncio.run(go()) == ["a", "b", "error: boom"]
    assert fake.calls == [[{"role": "user", "content": "hi"}]]
    assert asyncio.run(FakeLLM(["x", "y"]).complete([])) == "xy"
