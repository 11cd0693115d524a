"""Fan-out width: the most children running at once."""

from __future__ import annotations

from tests.unit.analysis.tracekit import by_rule, finding, run, span, trace
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rules.fan_out import width


def test_width_counts_only_overlapping_children() -> None:
    t = trace(
        span("p", dur=100),
        span("a", "p", 0, 10),
        span("b", "p", 5, 10),  # overlaps a
        span("c", "p", 10, 10),  # starts as a ends: overlaps b only
        span("d", "p", 12, 5),  # overlaps b and c
    )
    ix = TraceIndex(t)
    w, members = width(ix, ix.children[0])
    assert w == 3 and sorted(ix.sid(i) for i in members) == ["b", "c", "d"]


def test_a_small_fan_out_is_info_a_wide_one_a_warning() -> None:
    small = run(span("gw", dur=100), *[span(f"s{i}", "gw", 5, 20 + i) for i in range(4)])
    f = finding(small, "fan-out")
    assert f.severity == "info" and "4 at once" in f.title and "s3" in f.detail and "23.0 ms" in f.detail
    wide = run(span("gw", dur=500), *[span(f"s{i}", "gw", 5, 100 + i) for i in range(25)])
    assert finding(wide, "fan-out").severity == "warning"


def test_async_deliveries_count_too_but_stay_info() -> None:
    a = run(
        span("api", dur=20),
        span("kafka", "api", 5, 3, kind="producer", follows=True),
        *[span(f"c{i}", "kafka", 10, 100, kind="consumer", follows=True) for i in range(30)],
    )
    f = finding(a, "fan-out")
    assert f.severity == "info" and "async deliveries" in f.detail


def test_two_children_are_not_a_fan_out() -> None:
    assert by_rule(run(span("p", dur=50), span("a", "p", 0, 40), span("b", "p", 0, 30)), "fan_out") == []
