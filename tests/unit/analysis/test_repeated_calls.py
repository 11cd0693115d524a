"""Repeated calls: N+1 queries, chatty calls, agent loops."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def _n_plus_one(n: int) -> list:  # type: ignore[type-arg]
    return [span("api", dur=20 + 12 * n)] + [
        span(f"q{i}", "api", 10 + 12 * i, 12, service="db", op=f"SELECT * FROM items WHERE id = {i + 40}",
             component="postgresql")
        for i in range(n)
    ]  # fmt: skip


def test_five_similar_queries_in_a_row_are_n_plus_one() -> None:
    a = run(*_n_plus_one(5))
    f = finding(a, "repeated-calls")
    assert f.title.startswith("N+1 queries") and "×5" in f.title
    assert "SELECT * FROM items WHERE id = ?" in f.detail and "12.0 ms each, 60.0 ms in total" in f.detail
    assert "75 %" in f.detail  # 60 of 80 ms
    assert "IN (...)" in (f.fix or "") and len(f.span_ids) == 5


def test_four_are_not_enough() -> None:
    assert by_rule(run(*_n_plus_one(4)), "repeated_calls") == []


def test_retries_are_not_repeats() -> None:
    spans = [span("api", dur=100)] + [
        span(f"a{i}", "api", 10 * i, 9, service="pay", op="POST /charge", status="error" if i < 5 else "ok",
             attrs={"traceplay.attempt": i + 1})
        for i in range(6)
    ]  # fmt: skip
    assert by_rule(run(*spans), "repeated_calls") == []


def test_an_agent_calling_its_model_round_after_round_is_a_loop() -> None:
    spans = [span("agent", dur=6000)]
    for r in range(6):
        spans.append(
            span(f"llm{r}", "agent", r * 1000, 800, service="LLM", op=f"chat round {r}", component="llm-api")
        )
        spans.append(span(f"tool{r}", "agent", r * 1000 + 800, 150, service="search", op=f"search q{r}"))
    f = finding(run(*spans), "repeated-calls")
    assert f.title.startswith("Agent loop") and "6 times" in f.title and "Cap the iterations" in (f.fix or "")


def test_a_parallel_burst_is_reported_as_a_batch_opportunity() -> None:
    spans = [span("api", dur=60)] + [
        span(f"g{i}", "api", 5, 50, service="users", op=f"GET /users/{i}") for i in range(8)
    ]
    f = finding(run(*spans), "repeated-calls")
    assert "in parallel bursts" in f.detail and "batch" in (f.fix or "")
