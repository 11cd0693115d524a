"""Hand-made traces for the analysis tests: every span spelled out, so the right answer is known."""

from __future__ import annotations

from typing import Any

from traceplay.domain.analysis import Analysis, Finding, analyze
from traceplay.domain.trace import AttrValue, Span, SpanEvent, SpanLink, Trace


def span(
    sid: str,
    parent: str | None = None,
    start: float = 0.0,
    dur: float = 10.0,
    *,
    service: str | None = None,
    op: str | None = None,
    status: str = "ok",
    error: str | None = None,
    kind: str = "internal",
    component: str | None = None,
    attrs: dict[str, AttrValue] | None = None,
    events: list[tuple[float, str, dict[str, AttrValue]]] | None = None,
    follows: bool = False,
    node: str | None = None,
    edge: str | None = None,
) -> Span:
    return Span.model_validate(
        {
            "span_id": sid,
            "parent_id": parent,
            "node_id": node,
            "edge_id": edge,
            "service": service if service is not None else sid,
            "component": component,
            "operation": op if op is not None else f"op {sid}",
            "kind": kind,
            "start_ms": start,
            "duration_ms": dur,
            "status": status,
            "error": error if error is not None or status == "ok" else "boom",
            "attributes": attrs or {},
            "events": [SpanEvent(time_ms=t, name=n, attributes=a) for t, n, a in events or []],
            "links": [SpanLink(span_id=parent, type="follows_from")] if follows and parent else [],
        }
    )


def trace(*spans: Span, **kw: Any) -> Trace:
    """A trace whose entry is the first span; response and duration computed from the spans."""
    entry = spans[0]
    start = min(s.start_ms for s in spans)
    end = max(s.end_ms for s in spans)
    fields = {
        "trace_id": "0" * 32,
        "flow": None,
        "variant": None,
        "response_ms": entry.duration_ms,
        "duration_ms": end - start,
        "status": entry.status,
        "spans": list(spans),
        "faults": {},
        "seed": None,
    }
    fields.update(kw)
    return Trace.model_construct(**fields)  # the spans are validated already: 100,000 of them stay cheap


def by_rule(analysis: Analysis, rule: str) -> list[Finding]:
    return [f for f in analysis.findings if f.rule == rule]


def one(analysis: Analysis, rule: str) -> Finding:
    found = by_rule(analysis, rule)
    assert len(found) == 1, f"{rule}: {[f.title for f in found]} (all: {[f.id for f in analysis.findings]})"
    return found[0]


def finding(analysis: Analysis, fid: str) -> Finding:
    found = [f for f in analysis.findings if f.id == fid]
    assert found, f"no finding '{fid}' (all: {[f.id for f in analysis.findings]})"
    return found[0]


def run(*spans: Span) -> Analysis:
    return analyze(trace(*spans))
