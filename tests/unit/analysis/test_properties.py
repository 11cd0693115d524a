"""Any trace at all — random parents (missing, duplicated, cyclic), random times (skew), random async
hops and failures — is analysed without an exception, and the analysis keeps its invariants."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from traceplay.domain.analysis import analyze
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.model import SEVERITY_RANK
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.trace import Span, SpanEvent, SpanLink, Trace

SERVICES = ("api", "db", "redis", "stripe", "queue", "worker")
COMPONENTS = (None, "backend", "postgresql", "redis", "stripe", "sqs", "llm-api")


@st.composite
def traces(draw: Any) -> Trace:
    n = draw(st.integers(1, 40))
    spans = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, n + 2)))  # > n-1: a missing parent
        sid = f"s{draw(st.integers(0, n)) if draw(st.booleans()) and i else i}"  # some duplicate ids
        failed = draw(st.integers(0, 5)) == 0
        events = (
            [SpanEvent(time_ms=draw(st.floats(0, 500)), name="timeout", attributes={"target": "db"})]
            if draw(st.integers(0, 8)) == 0
            else []
        )
        spans.append(
            Span(
                span_id=sid,
                parent_id=None if parent is None else f"s{parent}",
                service=draw(st.sampled_from(SERVICES)),
                component=draw(st.sampled_from(COMPONENTS)),
                operation=draw(st.sampled_from(("GET /x", "SELECT 1", "GET user:1", "POST /charge"))),
                kind=draw(st.sampled_from(("server", "client", "internal", "producer", "consumer"))),
                start_ms=draw(st.floats(0, 400, allow_nan=False)),
                duration_ms=draw(st.floats(0, 400, allow_nan=False)),
                status="error" if failed else "ok",
                error="timed out" if failed and draw(st.booleans()) else ("boom" if failed else None),
                attributes={"traceplay.attempt": 2} if draw(st.integers(0, 6)) == 0 else {},
                events=events,
                links=[SpanLink(span_id=f"s{parent}")] if parent is not None and draw(st.booleans()) else [],
            )
        )
    entry = spans[0]
    end = max(s.end_ms for s in spans)
    return Trace(
        trace_id="f" * 32, response_ms=entry.duration_ms, duration_ms=end, status=entry.status, spans=spans
    )


@settings(max_examples=150, deadline=None)
@given(traces())
def test_any_trace_gives_a_consistent_analysis(trace: Trace) -> None:
    a = analyze(trace)
    ids = {s.span_id for s in trace.spans}
    assert a.findings and a.headline
    assert a.critical_path and set(a.critical_path) <= ids and a.bottleneck in a.critical_path
    ranks = [SEVERITY_RANK[f.severity] for f in a.findings]
    assert ranks == sorted(ranks) and a.severity == a.findings[0].severity
    assert len({f.id for f in a.findings}) == len(a.findings)
    for f in a.findings:
        assert set(f.span_ids) <= ids and f.title and f.detail
    if a.error_origin is not None:
        assert any(s.span_id == a.error_origin and s.status == "error" for s in trace.spans)
    else:
        assert not any(s.status == "error" for s in trace.spans)
    ix = TraceIndex(trace)
    cp = critical_path(ix)
    assert ix.entry >= 0 and cp.spans[0] == ix.entry
    assert all(t >= -1e-9 for t in cp.self_ms.values())
    assert abs(sum(cp.self_ms.values()) - ix.response_ms) < 1e-6 * max(1.0, ix.response_ms)
