"""Sequential calls that could run in parallel: the saving, the thresholds, what is left out."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def test_three_independent_calls_in_a_row_save_all_but_the_slowest() -> None:
    a = run(
        span("api", dur=400),
        span("users", "api", 10, 40),
        span("orders", "api", 50, 120),
        span("recs", "api", 170, 200),
    )
    f = finding(a, "sequential-calls")
    # 360 ms one after another, 200 ms together: 160 ms (40 % of 400 ms)
    assert "160 ms" in f.title and "360 ms" in f.detail and "40 %" in f.detail
    assert f.severity == "warning" and f.span_ids == ["users", "orders", "recs"]


def test_calls_already_in_parallel_are_fine() -> None:
    a = run(
        span("api", dur=250), span("x", "api", 10, 200), span("y", "api", 10, 150), span("z", "api", 10, 100)
    )
    assert by_rule(a, "sequential_calls") == []


def test_a_small_saving_is_not_worth_a_finding() -> None:
    # saving 30 ms of a 2 s response: under 100 ms and under 10 %
    a = run(span("api", dur=2000), span("x", "api", 10, 30), span("y", "api", 40, 1900))
    assert by_rule(a, "sequential_calls") == []


def test_ten_percent_of_a_short_response_is_worth_it() -> None:
    # saving 30 ms of a 100 ms response: 30 %
    a = run(span("api", dur=100), span("x", "api", 10, 30), span("y", "api", 40, 50))
    assert "30.0 ms" in finding(a, "sequential-calls").title


def test_gates_and_model_calls_decide_what_follows() -> None:
    auth = run(
        span("api", dur=400),
        span("auth", "api", 0, 150, component="auth"),
        span("db", "api", 150, 200, component="postgresql"),
    )
    assert by_rule(auth, "sequential_calls") == []
    agent = run(
        span("loop", dur=1500),
        span("llm", "loop", 0, 900, component="llm-api"),
        span("search", "loop", 900, 450),
    )
    assert by_rule(agent, "sequential_calls") == []


def test_retries_are_not_independent_calls() -> None:
    a = run(
        span("api", dur=700),
        span("pay1", "api", 0, 300, service="pay", op="POST /pay", status="error", error="503"),
        span("pay2", "api", 300, 300, service="pay", op="POST /pay", attrs={"traceplay.attempt": 2}),
        span("ship", "api", 600, 90),
    )
    f = finding(a, "sequential-calls")
    assert "pay (300 ms)" in f.detail  # the first attempt only
