"""Cache misses, cache failures with a fallback, and other fallbacks."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span


def _aside(hit: bool | None, *, write: bool = True) -> list:  # type: ignore[type-arg]
    attrs = {} if hit is None else {"cache.hit": hit}
    spans = [
        span("fe", dur=90),
        span("api", "fe", 1, 88),
        span("get", "api", 3, 2, service="redis", op="GET user:42", component="redis", attrs=attrs),
        span(
            "sel", "api", 5, 75, service="db", op="SELECT * FROM users WHERE id = 42", component="postgresql"
        ),
    ]
    if write:
        spans.append(span("set", "api", 80, 2, service="redis", op="SETEX user:42 300", component="redis"))
    return spans


def test_a_miss_goes_to_the_database_and_writes_back() -> None:
    f = finding(run(*_aside(False)), "cache-miss")
    assert f.span_ids == ["get", "sel", "set"]
    assert "77.0 ms" in f.detail and "86 % of the response" in f.detail  # 82 - 5 of 90
    assert f.severity == "warning" and "wrote the value back" in f.detail


def test_a_miss_is_inferred_from_a_read_followed_by_the_store() -> None:
    assert finding(run(*_aside(None, write=False)), "cache-miss")


def test_a_hit_is_not_a_miss() -> None:
    hit = run(span("api", dur=10), span("get", "api", 1, 2, service="redis", op="GET k", component="redis",
                                         attrs={"cache.hit": True}))  # fmt: skip
    assert by_rule(hit, "cache_fallback") == []


def test_a_dead_cache_falls_back_to_the_database() -> None:
    spans = _aside(None, write=False)
    spans[2] = span("get", "api", 3, 1, service="redis", op="GET user:42", component="redis", status="error",
                    error="ECONNREFUSED")  # fmt: skip
    f = finding(run(*spans), "cache-fallback")
    assert f.severity == "warning" and "fell back to db" in f.title and "circuit breaker" in (f.fix or "")


def test_another_instance_answering_after_a_failure_is_a_fallback() -> None:
    a = run(
        span("lb", dur=60),
        span("i3", "lb", 1, 1, service="api-3", op="GET /cart → 10.0.0.3", component="backend",
             status="error", error="connection refused"),
        span("i1", "lb", 3, 50, service="api-1", op="GET /cart → 10.0.0.1", component="backend"),
    )  # fmt: skip
    f = finding(a, "fallback")
    assert f.title == "api-3 failed, lb fell back to api-1"
    compensation = run(
        span("saga", dur=60),
        span(
            "inv", "saga", 1, 10, service="inventory", op="Invoke reserve", component="lambda", status="error"
        ),
        span("pay", "saga", 12, 40, service="payment", op="Invoke refund", component="lambda"),
    )
    assert by_rule(compensation, "cache_fallback") == []  # a compensation is not the same call elsewhere
