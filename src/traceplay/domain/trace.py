"""The one internal trace model: what ``simulate`` returns and what every importer produces.

Times are milliseconds from the trace start, as floats. ``response_ms`` is what the caller waited for
(the entry root span); ``duration_ms`` runs to the end of the last span; ``status`` is the entry root's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict

MAX_MS = 1e12  # about 31 years: anything larger is a broken clock, and sums of it could overflow
# finite, bounded, and a real number (no booleans): what a posted or imported trace may say
Ms = Annotated[float, Strict(), Field(ge=-MAX_MS, le=MAX_MS, allow_inf_nan=False)]
Duration = Annotated[float, Strict(), Field(ge=0, le=MAX_MS, allow_inf_nan=False)]
SpanKind = Literal["server", "client", "producer", "consumer", "internal"]
SpanStatus = Literal["ok", "error"]
AttrValue = str | int | float | bool | list[str] | list[int] | list[float] | list[bool] | None


class SpanEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_ms: Ms
    name: str
    attributes: dict[str, AttrValue] = Field(default_factory=dict)


class SpanLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    span_id: str
    trace_id: str | None = None  # None: the same trace
    type: Literal["follows_from", "child_of"] = "follows_from"


class Span(BaseModel):
    model_config = ConfigDict(extra="forbid")
    span_id: str
    parent_id: str | None = None
    node_id: str | None = None
    edge_id: str | None = None
    service: str
    component: str | None = None
    operation: str
    kind: SpanKind = "internal"
    start_ms: Ms
    duration_ms: Duration
    status: SpanStatus = "ok"
    error: str | None = None
    attributes: dict[str, AttrValue] = Field(default_factory=dict)
    events: list[SpanEvent] = Field(default_factory=list)
    links: list[SpanLink] = Field(default_factory=list)

    @property
    def end_ms(self) -> float:
        return self.start_ms + self.duration_ms


class Trace(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trace_id: str
    flow: str | None = None
    variant: str | None = None
    response_ms: Duration
    duration_ms: Duration
    status: SpanStatus
    spans: list[Span]
    faults: dict[str, str] = Field(default_factory=dict)
    seed: int | None = None

    def by_id(self) -> dict[str, Span]:
        return {s.span_id: s for s in self.spans}

    def children(self) -> dict[str | None, list[Span]]:
        """Spans by parent id; spans whose parent is missing are listed under None (roots)."""
        ids = {s.span_id for s in self.spans}
        out: dict[str | None, list[Span]] = {}
        for s in self.spans:
            key = s.parent_id if s.parent_id in ids else None
            out.setdefault(key, []).append(s)
        return out

    def roots(self) -> list[Span]:
        return self.children().get(None, [])

    def walk(self) -> Iterator[tuple[Span, int]]:
        """Every span with its depth, depth-first in start order. Iterative: chains may be 100k deep."""
        kids = self.children()
        for lst in kids.values():
            lst.sort(key=lambda s: s.start_ms)
        stack: list[tuple[Span, int]] = [(s, 0) for s in reversed(kids.get(None, []))]
        seen: set[int] = set()
        while stack:
            span, depth = stack.pop()
            if id(span) in seen:  # a duplicated span id must not loop forever
                continue
            seen.add(id(span))
            yield span, depth
            stack.extend((c, depth + 1) for c in reversed(kids.get(span.span_id, [])))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


M = TypeVar("M", bound=BaseModel)
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """A model instance from values the caller made itself and knows to be valid (the engine, the
    importers after their own checks): what ``model_construct`` does minus its per-field overhead,
    which dominated traces of 100,000 spans. ``values`` must name every field of ``cls``."""
    obj = cls.__new__(cls)
    setter = object.__setattr__
    setter(obj, "__dict__", values)
    fields = _FIELDS_SET.get(cls)
    if fields is None:
        fields = _FIELDS_SET[cls] = set(cls.model_fields)
    # one set shared by every instance: it holds every field, so pydantic's add() never changes it
    setter(obj, "__pydantic_fields_set__", fields)
    setter(obj, "__pydantic_extra__", None)
    setter(obj, "__pydantic_private__", None)
    return obj


def trace_from_dict(data: Any) -> Trace:
    """Validate a document in the Trace contract (pydantic errors propagate to the caller)."""
    return Trace.model_validate(data)
