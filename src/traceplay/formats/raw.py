"""What every reader produces before assembly: spans with absolute nanosecond times, one bag per trace.

Readers only translate fields; ``assemble`` does the rest once for all formats (duplicate ids,
orphans, clock skew, times from the trace start, the entry root). Spans are built without pydantic
validation (``fast``): a reader guarantees valid values, and validating 100,000 spans would take
seconds that the import does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from traceplay.errors import Problem, TraceFormatError

DEFAULT_MAX_SPANS = 200_000
KINDS = frozenset({"server", "client", "producer", "consumer", "internal"})


@dataclass(slots=True)
class RawEvent:
    time_ns: int
    name: str
    attributes: dict[str, Any]


@dataclass(slots=True)
class RawLink:
    span_id: str
    trace_id: str | None  # None: the same trace
    type: str = "follows_from"


@dataclass(slots=True)
class RawSpan:
    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    operation: str
    kind: str
    start_ns: int
    duration_ns: int
    status: str = "ok"
    error: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[RawEvent] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)


@dataclass(slots=True)
class RawTrace:
    trace_id: str
    spans: list[RawSpan] = field(default_factory=list)


class Budget:
    """Counts spans while a reader walks a document; fails as soon as the limit is passed."""

    __slots__ = ("count", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def take(self, n: int = 1) -> None:
        self.count += n
        if self.count > self.limit:
            raise TraceFormatError(
                f"the document holds more than {self.limit:,} spans",
                [Problem(f"at most {self.limit:,} spans can be imported (TRACEPLAY_MAX_SPANS)")],
            )


def group(spans: list[RawSpan]) -> list[RawTrace]:
    """Spans grouped by trace id, traces in order of first appearance."""
    traces: dict[str, RawTrace] = {}
    for span in spans:
        raw = traces.get(span.trace_id)
        if raw is None:
            raw = traces[span.trace_id] = RawTrace(span.trace_id)
        raw.spans.append(span)
    return list(traces.values())


def merge(batches: list[list[RawTrace]]) -> list[RawTrace]:
    """Traces of several documents (JSON Lines) merged by trace id: one trace may span many lines."""
    out: dict[str, RawTrace] = {}
    for batch in batches:
        for raw in batch:
            if raw.trace_id in out:
                out[raw.trace_id].spans.extend(raw.spans)
            else:
                out[raw.trace_id] = raw
    return list(out.values())


def bad(message: str, loc: str) -> TraceFormatError:
    """An error about one place of the document, e.g. ``data[0].spans[3].startTime``."""
    return TraceFormatError(f"{loc}: {message}" if loc else message, [Problem(message, loc)])


class Bad(Exception):
    """A bad field inside one item, raised without building its full location (the hot path stays
    cheap); the reader that walks the items adds where the item is with ``at``."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def inside(self, prefix: str) -> Bad:
        return Bad(self.message, f"{prefix}.{self.field}" if self.field else prefix)

    def at(self, loc: str) -> TraceFormatError:
        full = f"{loc}.{self.field}" if self.field and loc else (self.field or loc)
        return bad(self.message, full)


def as_int(value: Any, field: str) -> int:
    """An integer that may be written as a JSON number or a decimal string (OTLP's int64)."""
    if type(value) is int:
        return value
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    raise Bad(f"{field.rsplit('.', 1)[-1] or 'value'} must be an integer, got {value!r:.60}", field)


def as_number(value: Any, field: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise Bad("must be a finite number", field)
        return float(value)
    if isinstance(value, str):
        try:
            return as_number(float(value), field)
        except ValueError:
            pass
    raise Bad(f"must be a number, got {value!r:.60}", field)


def us_to_ns(value: Any, field: str) -> int:
    """Microseconds (Jaeger, Zipkin, Chrome) as integer nanoseconds, exact for integers: a float
    cannot hold today's Unix time in nanoseconds."""
    if type(value) is int:
        return value * 1000
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) * 1000
    number = as_number(value, field)
    whole = int(number)
    return whole * 1000 + round((number - whole) * 1000)


def as_list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise Bad(f"must be a list, got {type(value).__name__}", field)
    return value


def as_dict(value: Any, field: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise Bad(f"must be an object, got {type(value).__name__}", field)
    return value
