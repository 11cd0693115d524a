"""Real traces from Jaeger, Zipkin and OpenTelemetry (tests/fixtures/traces, see SOURCES.md there),
imported by traceplay.formats and analysed: no node ids, no components, shared span ids, clock skew,
missing parents, follows-from references and zero-length spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceplay.domain.analysis import analyze
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.trace import Trace
from traceplay.formats import load_all

FIXTURES = Path(__file__).parents[2] / "fixtures" / "traces"
FILES = sorted(p for p in FIXTURES.glob("*.json*") if p.is_file())


def _traces(name: str) -> list[Trace]:
    traces, _ = load_all((FIXTURES / name).read_bytes(), name=name)
    return traces


def test_the_fixtures_are_there() -> None:
    assert len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_imported_trace_is_analysed_consistently(path: Path) -> None:
    for trace in _traces(path.name):
        a = analyze(trace)
        ids = {s.span_id for s in trace.spans}
        assert a.findings and a.headline.endswith(".")
        assert a.critical_path and set(a.critical_path) <= ids and a.bottleneck in a.critical_path
        assert a.error_origin is None or a.error_origin in ids
        for f in a.findings:
            assert set(f.span_ids) <= ids and f.source == "rule"


def test_skewed_zipkin_children_are_clamped_into_their_parent() -> None:
    (trace,) = _traces("zipkin-skew.json")
    a = analyze(trace)
    assert len(a.critical_path) == len(trace.spans)
    cp = critical_path(TraceIndex(trace))
    # the path's self times add up to the response exactly, skew or not
    assert sum(cp.self_ms.values()) == pytest.approx(a.response_ms)
    assert all(t >= 0 for t in cp.self_ms.values())


def test_a_zipkin_consumer_is_off_the_response_path() -> None:
    (trace,) = _traces("zipkin-messaging.json")
    a = analyze(trace)
    consumers = [s.span_id for s in trace.spans if s.kind == "consumer"]
    assert consumers and not set(consumers) & set(a.critical_path)
    assert any(f.id == "after-response-work" for f in a.findings)
