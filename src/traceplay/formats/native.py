"""traceplay's own Trace JSON (what ``traceplay simulate`` prints and ``/api/simulate`` answers).

Read through the same assembly as every other format, so a hand-edited file gets the same care
(duplicate ids, orphans, skew); written as the model's JSON.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from traceplay.domain.trace import Trace
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import semconv
from traceplay.formats.ids import BadId, span_id, trace_id
from traceplay.formats.raw import DEFAULT_MAX_SPANS, Budget, RawEvent, RawLink, RawSpan, RawTrace, bad

NAME = "traceplay"


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "trace_id" in doc and isinstance(doc.get("spans"), list)


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _hex(parse: Any, value: str, loc: str) -> str:
    try:
        result: str = parse(value)
    except BadId as exc:
        raise bad(str(exc), loc) from None
    return result


def _entry(trace: Trace) -> int:
    ids = {s.span_id for s in trace.spans}
    roots = [i for i, s in enumerate(trace.spans) if s.parent_id is None or s.parent_id not in ids]
    return min(roots, key=lambda i: trace.spans[i].start_ms) if roots else 0


def read(doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS, budget: Budget | None = None) -> list[RawTrace]:
    budget = budget or Budget(max_spans)
    if isinstance(doc, dict) and isinstance(doc.get("spans"), list):
        budget.take(len(doc["spans"]))
    try:
        trace = Trace.model_validate(doc)
    except ValidationError as exc:
        problems = [Problem(e["msg"], _loc(tuple(e["loc"]))) for e in exc.errors()[:50]]
        first = problems[0]
        raise TraceFormatError(f"{first.loc}: {first.message}", problems) from None
    tid = _hex(trace_id, trace.trace_id, "trace_id")
    entry = _entry(trace)
    base_text = str(trace.spans[entry].attributes.get(semconv.START_UNIX_NANO, "")) if trace.spans else ""
    base = int(base_text) if base_text.isdigit() else 0
    raw = RawTrace(tid)
    for i, s in enumerate(trace.spans):
        loc = f"spans[{i}]"
        attrs = dict(s.attributes)
        for key, value in (
            (semconv.COMPONENT, s.component),
            (semconv.NODE_ID, s.node_id),
            (semconv.EDGE_ID, s.edge_id),
        ):
            if value is not None:
                attrs[key] = value
        if i == entry:
            trace_attrs: dict[str, Any] = {
                semconv.FLOW: trace.flow,
                semconv.VARIANT: trace.variant,
                semconv.SEED: trace.seed,
            }
            attrs.update({k: v for k, v in trace_attrs.items() if v is not None})
            if trace.faults:
                attrs[semconv.FAULTS] = orjson.dumps(trace.faults).decode()
        raw.spans.append(
            RawSpan(
                trace_id=tid,
                span_id=_hex(span_id, s.span_id, f"{loc}.span_id"),
                parent_id=_hex(span_id, s.parent_id, f"{loc}.parent_id") if s.parent_id else None,
                service=s.service,
                operation=s.operation,
                kind=s.kind,
                start_ns=base + round(s.start_ms * 1_000_000),
                duration_ns=round(s.duration_ms * 1_000_000),
                status=s.status,
                error=s.error,
                attributes=attrs,
                events=[
                    RawEvent(base + round(e.time_ms * 1_000_000), e.name, dict(e.attributes))
                    for e in s.events
                ],
                links=[
                    RawLink(
                        _hex(span_id, k.span_id, f"{loc}.links.span_id"),
                        _hex(trace_id, k.trace_id, f"{loc}.links.trace_id") if k.trace_id else None,
                        k.type,
                    )
                    for k in s.links
                ],
            )
        )
    return [raw]


def dump(trace: Trace, *, start_ns: int | None = None) -> dict[str, Any]:
    """The trace as the model's JSON (``start_ns`` is ignored: times are relative)."""
    return trace.model_dump(mode="json")
