"""From raw spans to the one internal Trace, the same way for every format.

What real exporters write and how it is taken:

- **duplicate span ids**: the first span keeps the id; each later one gets a new deterministic id and
  ``traceplay.original_span_id``. Children of the id stay under the first.
- **missing parents** (a ``parentSpanId`` not in the file): the span keeps its parent id and is a root
  (``Trace.children`` lists such spans under None), as Jaeger UI shows them.
- **clock skew**: a child that starts before its parent comes from another host's clock. It moves,
  with its whole subtree, into its parent — centred when a server answers a client, as Zipkin does,
  else to the parent's start — and carries ``traceplay.clock_skew_ms``.
- a span whose parent chain loops is nonsense: a TraceFormatError names the loop.

The trace's times become milliseconds from its start; spans come out depth-first in start order, so
the entry root (the earliest root) is the first; ``response_ms`` and ``status`` are the entry root's.
Every walk is iterative: 100,000-deep chains exist.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceplay.domain.trace import Span, SpanEvent, SpanLink, Trace, trusted
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import semconv
from traceplay.formats.ids import derived_span_id
from traceplay.formats.raw import RawSpan, RawTrace

WALL_CLOCK_NS = 10**18  # 2001-09-09: times before are from a monotonic clock, not Unix time


def _dedupe(spans: list[RawSpan]) -> None:
    taken = {s.span_id for s in spans}
    if len(taken) == len(spans):
        return
    seen: dict[str, int] = {}
    for span in spans:
        n = seen.get(span.span_id, 0)
        seen[span.span_id] = n + 1
        if n:
            new_id = derived_span_id(span.span_id, n, taken)
            taken.add(new_id)
            span.attributes[semconv.ORIGINAL_SPAN_ID] = span.span_id
            span.span_id = new_id


def _tree(spans: list[RawSpan]) -> tuple[list[int], dict[int, list[int]]]:
    """(root indexes, children by parent index), each in start order (stable: file order on ties)."""
    index = {s.span_id: i for i, s in enumerate(spans)}
    roots: list[int] = []
    kids: dict[int, list[int]] = {}
    for i, span in enumerate(spans):
        p = index.get(span.parent_id) if span.parent_id is not None else None
        if p is None or p == i:
            if p == i:
                span.parent_id = None  # a span that names itself as parent is a root
            roots.append(i)
        else:
            kids.setdefault(p, []).append(i)
    roots.sort(key=lambda i: spans[i].start_ns)
    for lst in kids.values():
        if len(lst) > 1:
            lst.sort(key=lambda i: spans[i].start_ns)
    return roots, kids


def _order(spans: list[RawSpan], roots: list[int], kids: dict[int, list[int]]) -> list[int]:
    """Depth-first, parents before children; fails on parent loops (spans no root reaches)."""
    out: list[int] = []
    stack = list(reversed(roots))
    while stack:
        i = stack.pop()
        out.append(i)
        children = kids.get(i)
        if children:
            stack.extend(reversed(children))
    if len(out) != len(spans):
        _raise_loop(spans, set(out))
    return out


def _raise_loop(spans: list[RawSpan], reached: set[int]) -> None:
    index = {s.span_id: i for i, s in enumerate(spans)}
    start = next(i for i in range(len(spans)) if i not in reached)
    path = [start]
    while True:
        parent = spans[path[-1]].parent_id
        j = index[parent] if parent is not None else None
        if j is None or j in path:
            break
        path.append(j)
    ids = " → ".join(spans[i].span_id for i in path[path.index(j) if j in path else 0 :])
    raise TraceFormatError(
        f"trace {spans[start].trace_id}: span parents form a loop",
        [Problem(f"each span is the parent of the next: {ids} → back to the first", "parentSpanId")],
    )


def _deskew(spans: list[RawSpan], order: list[int], kids: dict[int, list[int]]) -> list[int]:
    """Shift (ns) per span index so that no child starts before its parent."""
    shift = [0] * len(spans)
    for p in order:
        children = kids.get(p)
        if not children:
            continue
        parent = spans[p]
        p_start = parent.start_ns + shift[p]
        for c in children:
            child = spans[c]
            c_start = child.start_ns + shift[p]
            own = 0
            if c_start < p_start:
                fits = child.duration_ns <= parent.duration_ns
                if child.kind == "server" and parent.kind == "client" and fits:
                    own = p_start + (parent.duration_ns - child.duration_ns) // 2 - c_start
                else:
                    own = p_start - c_start
                child.attributes[semconv.CLOCK_SKEW_MS] = round(own / 1e6, 3)
            shift[c] = shift[p] + own
    return shift


def _trace_fields(attrs: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"flow": None, "variant": None, "faults": {}, "seed": None}
    flow, variant = attrs.pop(semconv.FLOW, None), attrs.pop(semconv.VARIANT, None)
    fields["flow"] = flow if isinstance(flow, str) else None
    fields["variant"] = variant if isinstance(variant, str) else None
    faults = attrs.pop(semconv.FAULTS, None)
    if isinstance(faults, str):
        try:
            parsed = orjson.loads(faults)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and all(isinstance(v, str) for v in parsed.values()):
            fields["faults"] = parsed
    seed = attrs.pop(semconv.SEED, None)
    if isinstance(seed, str) and seed.lstrip("-").isdigit():
        seed = int(seed)
    fields["seed"] = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
    return fields


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def assemble(raw: RawTrace) -> Trace:
    """The Trace of one trace's raw spans (which this mutates)."""
    spans = raw.spans
    if not spans:
        raise TraceFormatError(f"trace {raw.trace_id} has no spans")
    _dedupe(spans)
    roots, kids = _tree(spans)
    order = _order(spans, roots, kids)
    shift = _deskew(spans, order, kids)
    t0 = min(s.start_ns + shift[i] for i, s in enumerate(spans))
    trace_fields = _trace_fields(spans[roots[0]].attributes)
    for s in spans:
        if semconv.START_UNIX_NANO in s.attributes:
            del s.attributes[semconv.START_UNIX_NANO]

    out: list[Span] = []
    end_max = 0.0
    for i in order:
        s = spans[i]
        base = shift[i] - t0
        start_ms = (s.start_ns + base) / 1e6
        duration_ms = s.duration_ns / 1e6
        end_max = max(end_max, start_ms + duration_ms)
        attrs = s.attributes
        component = node_id = edge_id = None
        if semconv.COMPONENT in attrs or semconv.NODE_ID in attrs or semconv.EDGE_ID in attrs:
            component = _text(attrs.pop(semconv.COMPONENT, None))
            node_id = _text(attrs.pop(semconv.NODE_ID, None))
            edge_id = _text(attrs.pop(semconv.EDGE_ID, None))
        events = [
            trusted(
                SpanEvent, {"time_ms": (e.time_ns + base) / 1e6, "name": e.name, "attributes": e.attributes}
            )
            for e in s.events
        ]
        links = [
            trusted(
                SpanLink,
                {
                    "span_id": k.span_id,
                    "trace_id": None if k.trace_id == s.trace_id else k.trace_id,
                    "type": k.type,
                },
            )
            for k in s.links
        ]
        out.append(
            trusted(
                Span,
                {
                    "span_id": s.span_id,
                    "parent_id": s.parent_id,
                    "node_id": node_id,
                    "edge_id": edge_id,
                    "service": s.service,
                    "component": component,
                    "operation": s.operation,
                    "kind": s.kind,
                    "start_ms": start_ms,
                    "duration_ms": duration_ms,
                    "status": s.status,
                    "error": s.error if s.status == "error" else None,
                    "attributes": attrs,
                    "events": events,
                    "links": links,
                },
            )
        )
    entry = out[0]
    if t0 >= WALL_CLOCK_NS:  # a Unix time, not a monotonic clock (plain Chrome traces)
        entry.attributes[semconv.START_UNIX_NANO] = str(t0)
    return trusted(
        Trace,
        {
            "trace_id": raw.trace_id,
            "flow": trace_fields["flow"],
            "variant": trace_fields["variant"],
            "response_ms": entry.duration_ms,
            "duration_ms": end_max,
            "status": entry.status,
            "spans": out,
            "faults": trace_fields["faults"],
            "seed": trace_fields["seed"],
        },
    )
