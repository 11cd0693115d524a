"""Real trace formats in and out: OTLP JSON, Jaeger JSON, Zipkin v2, Chrome trace events (+ traceplay's own).

Pure converters, no I/O: ``load_trace(bytes)`` detects the format and returns one Trace;
``dump_trace(trace, "otlp")`` returns the document. The formats are a registry (``FORMATS``) of small
``Format`` records, iterated in order by ``detect``; a new format registers the same way.

Every reader produces raw spans (``formats.raw``) and one assembly (``formats.assemble``) turns them
into the Trace contract, so tolerance (duplicate ids, orphans, clock skew) is the same for all.

Limits hold before memory is spent: the size is checked before parsing; the span limit is one
``Budget`` the readers share, taken as they walk a document; JSON Lines are parsed and read one line
at a time, so the import stops at the line that passes the limit; and a document big enough to pass
what is left of the budget is first surveyed from its bytes (``prescan``), so that one certain to
pass it, or that no reader takes, is refused with the same message before orjson builds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

import orjson

from traceplay.domain.trace import Trace
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import chrome, jaeger, native, otlp, zipkin
from traceplay.formats.assemble import assemble
from traceplay.formats.prescan import Floor, NoTrace, survey
from traceplay.formats.raw import DEFAULT_MAX_SPANS, Budget, RawTrace, merge

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
MAX_LISTED_TRACES = 20


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    suffix: str  # what an exported file is called: trace-<id><suffix>
    detect: Callable[[Any], bool]
    read: Callable[..., list[RawTrace]]
    dump: Callable[..., Any]
    export: bool = True  # offered by `convert --to`, the API and the UI's export buttons

    def load(self, doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS) -> list[Trace]:
        """Every trace of a parsed document."""
        return [assemble(raw) for raw in self.read(doc, max_spans=max_spans)]


FORMATS: tuple[Format, ...] = (
    Format("otlp", "OTLP JSON", ".otlp.json", otlp.detect, otlp.read, otlp.dump),
    Format("jaeger", "Jaeger JSON", ".jaeger.json", jaeger.detect, jaeger.read, jaeger.dump),
    Format("zipkin", "Zipkin v2 JSON", ".zipkin.json", zipkin.detect, zipkin.read, zipkin.dump),
    Format(
        "chrome", "Chrome / Perfetto trace events", ".chrome.json", chrome.detect, chrome.read, chrome.dump
    ),
    Format(
        "traceplay", "traceplay trace JSON", ".trace.json", native.detect, native.read, native.dump, False
    ),
)
BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
EXPORT_FORMATS: tuple[str, ...] = tuple(f.name for f in FORMATS if f.export)


def get_format(name: str) -> Format:
    fmt = BY_NAME.get(name)
    if fmt is None:
        raise TraceFormatError(
            f"unknown trace format '{name}'", [Problem(f"choose one of: {', '.join(BY_NAME)}", "format")]
        )
    return fmt


def _describe(doc: Any) -> str:
    if isinstance(doc, dict):
        keys = ", ".join(list(map(str, doc))[:8])
        return f"an object with the keys {keys}" if keys else "an empty object"
    if isinstance(doc, list):
        return _describe_list(len(doc), type(doc[0]).__name__ if doc else None)
    return f"a JSON {type(doc).__name__}"


def _describe_list(length: int, first: str | None) -> str:
    return f"a list of {length} items" + (f" (the first is a {first})" if first else "")


def detect(doc: Any) -> Format:
    """The format of a parsed document, or a TraceFormatError saying what was found instead."""
    for fmt in FORMATS:
        if fmt.detect(doc):
            return fmt
    raise _not_a_trace(_describe(doc))


def _not_a_trace(found: str) -> TraceFormatError:
    return TraceFormatError(
        f"not a trace document this tool knows: found {found}",
        [
            Problem(
                "expected OTLP JSON (resourceSpans), Jaeger JSON (data[] or traceID + spans), "
                "a Zipkin v2 span list, Chrome trace events (traceEvents) or a traceplay trace"
            )
        ],
    )


def _json_error(exc: orjson.JSONDecodeError, line_offset: int = 0) -> TraceFormatError:
    line = exc.lineno + line_offset
    return TraceFormatError("not valid JSON", [Problem(f"{exc.msg} (column {exc.colno})", line=line)])


_NONBLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what bytes.isspace() is not


def _refuse_early(raw: bytes, budget: Budget, number: int | None) -> None:
    """Refuses a document before it is parsed when its bytes show (``prescan.survey``) that reading it
    would pass what is left of the span budget, or that no reader takes it, with the message the
    budget or ``detect`` gives after parsing. ``number``: the document's, in JSON Lines."""
    room = budget.limit - budget.count
    if len(raw) // 2 <= room:  # n spans take 2n - 1 bytes at least: too short to pass the budget
        return
    found = survey(raw)
    if isinstance(found, NoTrace) and number in (None, 1):  # later lines: read_documents says it
        raise _not_a_trace(_describe_list(found.items, found.first))
    if isinstance(found, Floor) and found.spans > room:
        try:
            budget.take(found.spans)  # passes the limit: raises the budget's own error
        except TraceFormatError as exc:
            if number is not None:
                exc.message = f"document {number}: {exc.message}"
            raise


def _nonblank_lines(raw: bytes) -> Iterator[tuple[int, int, int]]:
    """(line number, start, end) of each line that is not blank, one at a time, nothing copied."""
    start, number = 0, 1
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        if _NONBLANK.search(raw, start, end):
            yield number, start, end
        start, number = end + 1, number + 1


def parse_documents(data: bytes | str, budget: Budget | None = None) -> Iterator[tuple[int | None, Any]]:
    """The documents of a file, parsed one at a time as they are read: one JSON document (numbered
    None), or JSON Lines (one document per line, as the collector's file exporter writes OTLP),
    numbered from 1.

    ``budget`` is the span budget the readers share: a document whose bytes show it would pass what
    is left is refused before it is parsed, and a line is parsed only once the lines before it have
    been read, so the import stops at the line that passes the limit.

    A file is JSON Lines when its first line is a JSON value of its own and other lines follow: the
    file as a whole cannot be one document then (its value would end with the first line), so it is
    never parsed whole, which would cost orjson a buffer the size of the file to find that out."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or raw.isspace():  # (not raw.strip(): a copy of the whole file)
        raise TraceFormatError("the document is empty")
    budget = budget if budget is not None else Budget(DEFAULT_MAX_SPANS)
    lines = _nonblank_lines(raw)
    first, second = next(lines, None), next(lines, None)
    if first is not None and second is not None:
        line = raw[first[1] : first[2]]
        _refuse_early(line, budget, 1)
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            pass  # one document over several lines (or not JSON): parsed whole below
        else:
            del line
            yield 1, doc
            del doc
            yield from _json_lines(raw, chain((second,), lines), budget)
            return
    _refuse_early(raw, budget, None)
    try:
        whole = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _json_error(exc) from None
    yield None, whole


def _json_lines(
    raw: bytes, lines: Iterator[tuple[int, int, int]], budget: Budget
) -> Iterator[tuple[int, Any]]:
    """Documents 2, 3 ... of JSON Lines."""
    for n, (line_number, start, end) in enumerate(lines, start=2):
        line = raw[start:end]
        _refuse_early(line, budget, n)
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise _json_error(exc, line_number - 1) from None
        del line
        yield n, doc


def read_documents(docs: Iterable[tuple[int | None, Any]], budget: Budget) -> tuple[list[RawTrace], Format]:
    """Raw traces of one or more documents of one format (traces spread over lines are merged),
    each read as it comes with the shared span budget."""
    fmt: Format | None = None
    batches = []
    for n, doc in docs:
        if fmt is None:
            fmt = detect(doc)
        if n is None:
            return fmt.read(doc, budget=budget), fmt
        if not fmt.detect(doc):
            raise TraceFormatError(
                f"JSON Lines: document {n} is not {fmt.label} like the first",
                [Problem(_describe(doc), f"[{n}]")],
            )
        try:
            batch = fmt.read(doc, budget=budget)
        except TraceFormatError as exc:
            exc.message = f"document {n}: {exc.message}"
            raise
        if batch:  # a line without spans adds nothing: a million empty lines keep no million lists
            batches.append(batch)
    if fmt is None:  # parse_documents yields one document at least
        raise TraceFormatError("the document is empty")
    return merge(batches), fmt


def _read(data: bytes | str, max_spans: int) -> tuple[list[RawTrace], Format]:
    budget = Budget(max_spans)
    return read_documents(parse_documents(data, budget), budget)


def load_all(
    data: bytes | str,
    *,
    name: str | None = None,
    max_spans: int = DEFAULT_MAX_SPANS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[list[Trace], str]:
    """Every trace of a file's bytes and the format's name."""
    try:
        _check_size(data, max_bytes)
        raws, fmt = _read(data, max_spans)
        return [assemble(raw) for raw in raws], fmt.name
    except TraceFormatError as exc:
        exc.source = exc.source or name
        raise


def load_trace(
    data: bytes | str,
    *,
    name: str | None = None,
    index: int | None = None,
    max_spans: int = DEFAULT_MAX_SPANS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Trace, str, int]:
    """One trace of a file's bytes: (the trace, the format's name, how many traces the file holds).

    A file with several traces (a Jaeger envelope, a Zipkin list, OTLP from a collector) gives the
    trace at ``index`` (default: the first); an index out of range lists the trace ids to pick from.
    """
    try:
        _check_size(data, max_bytes)
        raws, fmt = _read(data, max_spans)
        if not raws:
            raise TraceFormatError(f"the {fmt.label} document holds no spans")
        pick = 0 if index is None else index
        if not 0 <= pick < len(raws):
            listed = [
                f"[{i}] {r.trace_id} ({len(r.spans):,} spans)" for i, r in enumerate(raws[:MAX_LISTED_TRACES])
            ]
            more = len(raws) - MAX_LISTED_TRACES
            raise TraceFormatError(
                f"there is no trace {pick}: the document holds {len(raws)} trace(s), pick an index "
                f"from 0 to {len(raws) - 1}",
                [Problem(line, "index") for line in listed]
                + ([Problem(f"... and {more} more")] if more > 0 else []),
            )
        return assemble(raws[pick]), fmt.name, len(raws)
    except TraceFormatError as exc:
        exc.source = exc.source or name
        raise


def _check_size(data: bytes | str, max_bytes: int) -> None:
    size = len(data)
    if size > max_bytes:
        raise TraceFormatError(
            f"the document is {size:,} bytes; the limit is {max_bytes:,}",
            [Problem("raise TRACEPLAY_MAX_IMPORT_BYTES to import bigger files")],
        )


def dump_trace(trace: Trace, fmt: str, *, start_ns: int | None = None) -> Any:
    """The trace as a document of the named format (a dict; a list for Zipkin v2).

    ``start_ns``: the absolute start in Unix nanoseconds (default: the one an import recorded, else a
    fixed date so exports are reproducible)."""
    return get_format(fmt).dump(trace, start_ns=start_ns)


__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "Format",
    "detect",
    "dump_trace",
    "get_format",
    "load_all",
    "load_trace",
]
