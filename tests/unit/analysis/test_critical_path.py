"""Critical path and bottleneck on traces whose answer is known by construction."""

from __future__ import annotations

from tests.unit.analysis.tracekit import finding, run, span, trace
from traceplay.domain.analysis import analyze
from traceplay.domain.trace import Span, Trace


def test_one_span_is_its_own_path_and_bottleneck() -> None:
    a = run(span("a", dur=42))
    assert a.critical_path == ["a"] and a.bottleneck == "a"
    f = finding(a, "critical-path")
    assert "42.0 ms" in f.title and f.severity == "info"
    assert [f.id for f in a.findings] == ["critical-path"]  # no bottleneck to single out in one span


def test_chain_path_is_root_first_and_bottleneck_has_the_largest_self_time() -> None:
    # a 0-100 self 40; b 10-70 self 20; c 20-60 self 40 (c is the leaf: all self)
    a = run(span("a", dur=100), span("b", "a", 10, 60), span("c", "b", 20, 40))
    assert a.critical_path == ["a", "b", "c"]
    assert a.bottleneck in ("a", "c")  # both 40 ms: the deeper one wins the tie
    assert a.bottleneck == "c"
    b = finding(a, "bottleneck")
    assert "40.0 ms of 100 ms" in b.title and "40 %" in b.detail


def test_sequential_children_are_all_on_the_path_parallel_only_the_longest() -> None:
    seq = run(span("p", dur=100), span("x", "p", 0, 30), span("y", "p", 30, 30), span("z", "p", 60, 40))
    assert seq.critical_path == ["p", "x", "y", "z"]
    par = run(span("p", dur=100), span("x", "p", 0, 30), span("y", "p", 0, 90), span("z", "p", 0, 60))
    assert par.critical_path == ["p", "y"]
    assert par.bottleneck == "y"


def test_async_children_stay_off_the_path_but_are_reported() -> None:
    a = run(
        span("api", dur=20),
        span("queue", "api", 5, 2, kind="producer", follows=True),
        span("worker", "queue", 500, 900, kind="consumer", follows=True),
    )
    assert a.critical_path == ["api"]
    detail = finding(a, "critical-path").detail
    assert "2 spans ran off the response path" in detail and "1.40 s" in detail


def test_clock_skew_is_clamped_to_the_parent() -> None:
    # the child claims to start before and end after its parent: only the parent's 50 ms count
    a = run(span("p", start=100, dur=50), span("c", "p", 90, 80))
    cp_self = finding(a, "critical-path").detail
    assert a.critical_path == ["p", "c"]
    assert "c 50.0 ms (100 %)" in cp_self


def test_orphaned_child_counts_only_until_the_timeout_fired() -> None:
    a = run(
        span(
            "api",
            dur=1010,
            status="error",
            error="db timed out",
            events=[(1000.0, "timeout", {"target": "db"})],
        ),
        span("db", "api", 0, 5000, attrs={"traceplay.orphaned": True}),
    )
    b = finding(a, "bottleneck")
    assert a.bottleneck == "db" and "1.00 s of 1.01 s" in b.title


def _chain(n: int) -> Trace:
    spans = [
        Span.model_construct(
            span_id=f"s{i}",
            parent_id=f"s{i - 1}" if i else None,
            node_id=None,
            edge_id=None,
            service=f"svc{i % 7}",
            component=None,
            operation="work",
            kind="internal",
            start_ms=float(i),
            duration_ms=float(2 * (n - i)),
            status="ok",
            error=None,
            attributes={},
            events=[],
            links=[],
        )
        for i in range(n)
    ]
    return trace(*spans)


def test_a_100000_deep_chain_needs_no_recursion() -> None:
    n = 100_000
    a = analyze(_chain(n))
    assert len(a.critical_path) == n
    assert a.critical_path[0] == "s0" and a.critical_path[-1] == f"s{n - 1}"
    detail = finding(a, "critical-path").detail
    assert "… (99,994 more) →" in detail and len(detail) < 300  # the text stays short


def test_a_wide_fan_out_keeps_the_longest_branch() -> None:
    kids = [span(f"k{i}", "root", 1, 10 + (i % 97)) for i in range(5000)]
    a = run(span("root", dur=200), *kids)
    longest = max(kids, key=lambda s: (s.duration_ms, -int(s.span_id[1:])))
    assert a.critical_path == ["root", longest.span_id]


def test_missing_parents_make_roots_and_the_first_true_root_is_the_entry() -> None:
    a = run(
        span("orphan", "gone", 0, 500),  # its parent is not in the trace
        span("root", None, 5, 100),
        span("child", "root", 10, 50),
    )
    assert a.critical_path == ["root", "child"]


def test_duplicate_ids_and_parent_cycles_do_not_loop() -> None:
    a = run(
        span("a", dur=100),
        span("b", "a", 10, 50),
        span("b", "a", 60, 30),  # the same id twice
        span("x", "y", 0, 5),  # x and y are each other's parent
        span("y", "x", 0, 5),
    )
    assert a.critical_path[0] == "a"
    assert set(a.critical_path) <= {"a", "b"}


def test_an_all_async_trace_has_only_its_entry_on_the_path() -> None:
    a = run(
        span("api", dur=12),
        *[span(f"c{i}", "api", 5 + i, 300, kind="consumer", follows=True) for i in range(4)],
        span("deep", "c0", 10, 50),  # under an async span: off the path too
    )
    assert a.critical_path == ["api"] and a.bottleneck == "api"
    assert "5 spans ran off the response path" in finding(a, "critical-path").detail
    assert finding(a, "after-response-work").title == "Work goes on for 296 ms after the response"
    assert a.headline.startswith("The request took 12.0 ms in api's own work, and work went on until 308 ms")
