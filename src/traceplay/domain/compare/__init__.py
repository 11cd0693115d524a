"""Compare two traces: ``compare(base, other) -> Comparison``.

Two variants of one scenario, or one request before and after a change (a fix). Spans are matched by
what they *are*, not by id (ids differ between any two runs): the node that did the work, the operation,
and the occurrence of that pair in start order — so the 2nd ``SELECT`` of a retry loop matches the 2nd
one on the other side. Traces without node ids (imported ones) match by service and operation instead.

What comes out, all computed from the two traces:

- every matched pair with its time delta and status change; spans only on one side are *added* or
  *removed*;
- per node (or service): the summed time and self time on each side, their delta and ratio, and a
  ``heat`` in [-1, 1] (slower is positive) for colouring the canvas;
- where the response time went: the change of each operation's time *on the critical path* (the
  critical self time, which sums exactly to the response time), so "+2.7 s, 96 % of it in PostgreSQL
  `SELECT user`" is arithmetic, not a guess — and a parallelised call that left the critical path
  shows up even though its own duration did not change;
- a baseline badge for each notable span of ``other`` ("12× its time in the success variant");
- a summary of a few sentences.

Iterative and O(n log n): fine at 100,000 spans a side.
"""

from __future__ import annotations

import gc

from traceplay.domain.compare.model import (
    Change,
    Comparison,
    Contributor,
    NodeDelta,
    SpanDelta,
    StatusChange,
    TraceSide,
)
from traceplay.domain.compare.side import Side, construct, ratio, same
from traceplay.domain.compare.summary import summary
from traceplay.domain.trace import Trace

BADGE_RATIO = 1.5  # a span this much slower or faster than its baseline gets a badge

__all__ = [
    "Change",
    "Comparison",
    "Contributor",
    "NodeDelta",
    "SpanDelta",
    "StatusChange",
    "TraceSide",
    "compare",
]


def compare(
    base: Trace, other: Trace, *, base_label: str | None = None, other_label: str | None = None
) -> Comparison:
    """What changed from ``base`` to ``other``. ``base_label`` names the baseline in badges and the
    summary ("the success variant", "the original flow")."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects: collections would rescan both traces
    try:
        return _compare(base, other, base_label, other_label)
    finally:
        if enabled:
            gc.enable()


def _compare(base: Trace, other: Trace, base_label: str | None, other_label: str | None) -> Comparison:
    by_node = all(s.node_id is not None for s in base.spans) and all(
        s.node_id is not None for s in other.spans
    )
    b, o = Side(base, by_node), Side(other, by_node)
    label = base_label or _label(base, other)
    base_pos = {k: i for i, k in enumerate(b.keys)}
    matched_base: set[int] = set()
    deltas: list[SpanDelta] = []
    badges: dict[str, str] = {}
    added: list[str] = []
    for j in o.ix.order:
        i = base_pos.get(o.keys[j], -1)
        if i >= 0:
            matched_base.add(i)
        deltas.append(_delta(b, o, i, j, by_node))
        badge = _badge(b, o, i, j, label)
        if badge:
            badges[other.spans[j].span_id] = badge
        if i < 0:
            added.append(other.spans[j].span_id)
    removed = []
    for i in b.ix.order:
        if i not in matched_base:
            deltas.append(_delta(b, o, i, -1, by_node))
            removed.append(base.spans[i].span_id)

    status_change: StatusChange | None = None
    if base.status == "ok" and other.status == "error":
        status_change = "failing"
    elif base.status == "error" and other.status == "ok":
        status_change = "recovered"
    where = _where(b, o, other.response_ms - base.response_ms)
    comparison = Comparison(
        base=_side(base, label),
        other=_side(other, other_label or _other_label(base, other)),
        match_by="node" if by_node else "service",
        response_delta_ms=round(other.response_ms - base.response_ms, 3),
        duration_delta_ms=round(other.duration_ms - base.duration_ms, 3),
        response_ratio=ratio(base.response_ms, other.response_ms),
        status_change=status_change,
        summary="",
        where=where,
        spans=deltas,
        added=added,
        removed=removed,
        nodes=_nodes(b, o),
        badges=badges,
    )
    comparison.summary = summary(comparison, b, o, label)
    return comparison


def _label(base: Trace, other: Trace) -> str:
    if base.variant and base.variant != other.variant:
        return f"the {base.variant} variant"
    return "the baseline"


def _other_label(base: Trace, other: Trace) -> str:
    if other.variant and base.variant != other.variant:
        return f"the {other.variant} variant"
    return "this trace"


def _side(trace: Trace, label: str) -> TraceSide:
    return TraceSide(
        trace_id=trace.trace_id,
        flow=trace.flow,
        variant=trace.variant,
        label=label,
        response_ms=trace.response_ms,
        duration_ms=trace.duration_ms,
        status=trace.status,
        spans=len(trace.spans),
    )


def _delta(b: Side, o: Side, i: int, j: int, by_node: bool) -> SpanDelta:
    bs = b.trace.spans[i] if i >= 0 else None
    os_ = o.trace.spans[j] if j >= 0 else None
    ident, op, occ = o.keys[j] if j >= 0 else b.keys[i]
    ref = os_ or bs
    assert ref is not None
    bms = bs.duration_ms if bs else None
    oms = os_.duration_ms if os_ else None
    change: Change
    if bs is None:
        change = "added"
    elif os_ is None:
        change = "removed"
    else:
        assert bms is not None and oms is not None
        change = "same" if same(bms, oms) else "slower" if oms > bms else "faster"
    status_change: StatusChange | None = None
    if bs is not None and os_ is not None and bs.status != os_.status:
        status_change = "failing" if os_.status == "error" else "recovered"
    return construct(
        SpanDelta,
        key=f"{ident}|{op}|{occ}",
        node_id=ref.node_id if by_node else None,
        service=ref.service,
        operation=op,
        occurrence=occ,
        base_span_id=bs.span_id if bs else None,
        other_span_id=os_.span_id if os_ else None,
        base_ms=bms,
        other_ms=oms,
        delta_ms=round(oms - bms, 3) if bms is not None and oms is not None else None,
        ratio=ratio(bms, oms) if bms is not None and oms is not None else None,
        base_status=bs.status if bs else None,
        other_status=os_.status if os_ else None,
        status_change=status_change,
        change=change,
        critical_delta_ms=round(o.critical.get(j, 0.0) - b.critical.get(i, 0.0), 3),
        offset_delta_ms=_offset_delta(b, o, i, j),
    )


def _offset(side: Side, i: int) -> float:
    p = side.ix.parent[i]
    return side.ix.start[i] - side.ix.start[p] if p >= 0 else side.ix.start[i]


def _offset_delta(b: Side, o: Side, i: int, j: int) -> float | None:
    if i < 0 or j < 0:
        return None
    return round(_offset(o, j) - _offset(b, i), 3)


def _times(ratio: float) -> str:
    if ratio >= 1000:
        return f"{ratio:,.0f}×"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def _badge(b: Side, o: Side, i: int, j: int, label: str) -> str | None:
    span = o.trace.spans[j]
    if i < 0:
        return f"not in {label}"
    base = b.trace.spans[i]
    parts = []
    if base.duration_ms > 0 and not same(base.duration_ms, span.duration_ms):
        ratio = span.duration_ms / base.duration_ms
        if ratio >= BADGE_RATIO:
            parts.append(f"{_times(ratio)} its time in {label}")
        elif ratio > 0 and 1 / ratio >= BADGE_RATIO:
            parts.append(f"{_times(1 / ratio)} faster than in {label}")
    if base.status != span.status:
        parts.append(f"failed in {label}" if base.status == "error" else f"ok in {label}")
    return "; ".join(parts) or None


def _where(b: Side, o: Side, total: float) -> list[Contributor]:
    """Critical self time per operation (all occurrences together), and how it changed."""
    acc: dict[tuple[str, str], list[float]] = {}  # [base, other, base calls, other calls]
    for side, pos in ((b, 0), (o, 1)):
        for ident, op, _ in side.keys:
            acc.setdefault((ident, op), [0.0, 0.0, 0.0, 0.0])[pos + 2] += 1
    for side, pos in ((b, 0), (o, 1)):
        for i, t in side.critical.items():
            ident, op, _ = side.keys[i]
            acc[(ident, op)][pos] += t
    names = _names(b, o)
    rows = []
    for (ident, op), (bt, ot, bn, on) in acc.items():
        delta = ot - bt
        if abs(delta) <= 1e-6:
            continue
        node_id, service = names[ident]
        rows.append(
            Contributor(
                node_id=node_id,
                service=service,
                operation=op,
                calls=int(max(bn, on)),
                delta_ms=round(delta, 3),
                share=round(delta / total, 4) if abs(total) > 1e-9 else 0.0,
                added=bn == 0,
                removed=on == 0,
            )
        )
    sign = 1.0 if total >= 0 else -1.0
    rows.sort(key=lambda c: (-(c.delta_ms * sign), c.service, c.operation))
    return rows[:5]


def _names(b: Side, o: Side) -> dict[str, tuple[str | None, str]]:
    out: dict[str, tuple[str | None, str]] = {}
    for side in (b, o):
        for span, ident in zip(side.trace.spans, side.ident, strict=True):
            if ident not in out:
                out[ident] = (span.node_id if ident.startswith("n:") else None, span.service)
    return out


def _nodes(b: Side, o: Side) -> list[NodeDelta]:
    acc: dict[str, list[float]] = {}  # base ms, other ms, base self, other self, spans b/o, errors b/o
    for side, pos in ((b, 0), (o, 1)):
        for i, span in enumerate(side.trace.spans):
            row = acc.setdefault(side.ident[i], [0.0] * 8)
            row[pos] += span.duration_ms
            row[2 + pos] += side.self_ms[i]
            row[4 + pos] += 1
            row[6 + pos] += span.status == "error"
    names = _names(b, o)
    biggest = max((abs(r[3] - r[2]) for r in acc.values()), default=0.0)
    out = []
    for ident, (bms, oms, bself, oself, bn, on, be, oe) in acc.items():
        change: Change
        if bn == 0:
            change = "added"
        elif on == 0:
            change = "removed"
        elif same(bself, oself) and same(bms, oms):
            change = "same"
        else:
            change = "slower" if (oself - bself if not same(bself, oself) else oms - bms) > 0 else "faster"
        heat = (oself - bself) / biggest if biggest > 0 and change != "same" else 0.0
        node_id, service = names[ident]
        out.append(
            NodeDelta(
                key=ident[2:],
                node_id=node_id,
                service=service,
                base_ms=round(bms, 3),
                other_ms=round(oms, 3),
                delta_ms=round(oms - bms, 3),
                ratio=ratio(bms, oms) if bn and on else None,
                base_self_ms=round(bself, 3),
                other_self_ms=round(oself, 3),
                self_delta_ms=round(oself - bself, 3),
                base_spans=int(bn),
                other_spans=int(on),
                base_errors=int(be),
                other_errors=int(oe),
                change=change,
                heat=round(max(-1.0, min(1.0, heat)), 4),
            )
        )
    out.sort(key=lambda n: (-abs(n.self_delta_ms), n.service))
    return out
