"""Real trace formats in and out: OTLP JSON, Jaeger JSON, Zipkin v2, Chrome trace events (+ traceplay's own).

Pure converters, no I/O: ``load_trace(bytes)`` detects the format and returns one Trace;
``dump_trace(trace, "otlp")`` returns the document. The formats are a registry (``FORMATS``) of small
``Format`` records, iterated in order by ``detect``; a new format registers the same way.

Every reader produces raw spans (``formats.raw``) and one assembly (``formats.assemble``) turns them
into the Trace contract, so tolerance (duplicate ids, orphans, clock skew) is the same for all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from traceplay.domain.trace import Trace
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import chrome, jaeger, native, otlp, zipkin
from traceplay.formats.assemble import assemble
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
        return f"a list of {len(doc)} items" + (f" (the first is a {type(doc[0]).__name__})" if doc else "")
    return f"a JSON {type(doc).__name__}"


def detect(doc: Any) -> Format:
    """The format of a parsed document, or a TraceFormatError saying what was found instead."""
    for fmt in FORMATS:
        if fmt.detect(doc):
            return fmt
    raise TraceFormatError(
        f"not a trace document this tool knows: found {_describe(doc)}",
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


def parse_documents(data: bytes | str) -> list[Any]:
    """One JSON document, or several: JSON Lines (one document per line, as the collector's file
    exporter writes OTLP)."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise TraceFormatError("the document is empty")
    try:
        return [orjson.loads(raw)]
    except orjson.JSONDecodeError as whole_error:
        lines = [(n, line) for n, line in enumerate(raw.split(b"\n"), start=1) if line.strip()]
        if len(lines) < 2:
            raise _json_error(whole_error) from None
        try:
            first = orjson.loads(lines[0][1])
        except orjson.JSONDecodeError:
            raise _json_error(whole_error) from None
        docs = [first]
        for n, line in lines[1:]:
            try:
                docs.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise _json_error(exc, n - 1) from None
        return docs


def read_documents(docs: list[Any], *, max_spans: int = DEFAULT_MAX_SPANS) -> tuple[list[RawTrace], Format]:
    """Raw traces of one or more documents of one format (traces spread over lines are merged)."""
    fmt = detect(docs[0])
    budget = Budget(max_spans)
    if len(docs) == 1:
        return fmt.read(docs[0], budget=budget), fmt
    batches = []
    for n, doc in enumerate(docs, start=1):
        if not fmt.detect(doc):
            raise TraceFormatError(
                f"JSON Lines: document {n} is not {fmt.label} like the first",
                [Problem(_describe(doc), f"[{n}]")],
            )
        try:
            batches.append(fmt.read(doc, budget=budget))
        except TraceFormatError as exc:
            exc.message = f"document {n}: {exc.message}"
            raise
    return merge(batches), fmt


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
        raws, fmt = read_documents(parse_documents(data), max_spans=max_spans)
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
        raws, fmt = read_documents(parse_documents(data), max_spans=max_spans)
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
