"""One side of a comparison worked out once, and the small arithmetic both sides share."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.trace import Span, Trace

SAME_MS = 0.5  # closer than this (or 5 %) is "the same time"
SAME_SHARE = 0.05

Key = tuple[str, str, int]  # identity (node or service), operation, occurrence


class Side:
    """A trace worked out once: identity keys, self times, critical self times."""

    def __init__(self, trace: Trace, by_node: bool) -> None:
        self.trace = trace
        self.ix = TraceIndex(trace)
        spans = trace.spans
        self.ident: list[str] = [_ident(s, by_node) for s in spans]
        self.keys: list[Key] = _occurrences(spans, self.ident)
        self.self_ms: list[float] = _self_times(self.ix)
        cp = critical_path(self.ix)
        self.critical: dict[int, float] = cp.self_ms


def _ident(span: Span, by_node: bool) -> str:
    return f"n:{span.node_id}" if by_node else f"s:{span.service}"


def _occurrences(spans: list[Span], ident: list[str]) -> list[Key]:
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start_ms, i))
    seen: dict[tuple[str, str], int] = {}
    keys: list[Key] = [("", "", 0)] * len(spans)
    for i in order:
        pair = (ident[i], spans[i].operation)
        n = seen.get(pair, 0)
        seen[pair] = n + 1
        keys[i] = (pair[0], pair[1], n)
    return keys


def _self_times(ix: TraceIndex) -> list[float]:
    """Each span's duration minus the union of its children's windows (clipped to its own)."""
    out = [0.0] * ix.n
    for i in range(ix.n):
        s, e = ix.start[i], ix.end[i]
        covered, cursor = 0.0, s
        for c in ix.children[i]:  # sorted by start
            cs, ce = max(ix.start[c], cursor), min(ix.end[c], e)
            if ce > cs:
                covered += ce - cs
                cursor = ce
        out[i] = max(0.0, (e - s) - covered)
    return out


def same(a: float, b: float) -> bool:
    return abs(a - b) <= max(SAME_MS, SAME_SHARE * max(a, b))


def ratio(base: float, other: float) -> float | None:
    return round(other / base, 4) if base > 0 and other >= 0 else None


_M = TypeVar("_M", bound=BaseModel)


def construct(cls: type[_M], **values: Any) -> _M:
    """A model from values computed here and known to be valid, without pydantic's per-field work
    (``model_construct`` alone was most of the time on 100,000 spans)."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
