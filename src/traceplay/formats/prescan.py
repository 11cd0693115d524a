"""What a trace document holds, read from its bytes before it is parsed.

orjson builds a document whole before any reader counts a span: the 100 MB of ``[{},{},...]`` are
35 million dicts (about 2.5 GB) by the time the span limit or the format detection refuses them.
``survey`` walks the bytes instead, building nothing, and tells how many spans the readers will
count (``Floor``) or that no reader takes the document (``NoTrace``), so that an import can be
refused with the readers' own message before anything is parsed.

The answer is exact or absent, never a guess. Counting a key (``"spanId"``) would be cheap but
unsound: a string may hold any text (attribute values often carry JSON, escaped), links carry span
ids too, and an object may hold keys the reader ignores. So the walk follows the JSON grammar
(strings with their escapes, nested values) along the reader's path and counts the items of the
lists the reader counts, the way it counts them (``budget.take(len(spans))``, before looking at
them):

- OTLP: ``resourceSpans[*].scopeSpans[*].spans`` (or ``instrumentationLibrarySpans`` when a
  resource has no ``scopeSpans``);
- Jaeger: ``data[*].spans``, or ``spans`` of a single trace (``traceID``);
- Zipkin v2: the items of the list, or of each inner list (a list of traces);
- traceplay: ``spans``.

It answers None (the reader decides, after parsing) whenever it cannot be sure: Chrome trace events
(which events are spans depends on each event's ``ph``), Tempo's ``batches`` and ``{"result": ...}``
wrappers, a duplicate key on the path (orjson keeps the last one), a value nested deeper than the
walk reads, anything that is not the expected shape. A file that is not valid JSON may get the
span limit's message instead of the parser's: it is refused either way.

Cost: values are matched by regular expressions, so nothing is built; a run of comma-free items
(``{}``, ``[]``, numbers) is counted in one match, other items 256 at a time. The walk reads at most
``HEADROOM`` bytes and ``STEPS`` tokens, plus ``BYTES_PER_ITEM`` and ``STEPS_PER_ITEM`` per list item
counted so far, then gives up: a document of real spans (hundreds of bytes each), or of one span
per resource, is given up within its first few kilobytes, while one of tiny items in long lists, the
shape that costs the parser 20 to 40 times its size in memory, is read to its end (30 MB of
``{},`` in half a second).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import orjson

HEADROOM = 16 * 1024  # bytes the walk reads before it has counted anything
BYTES_PER_ITEM = 128  # and more for each item counted
STEPS = 4096  # tokens matched one at a time (keys, brackets, runs) before it has counted anything
STEPS_PER_ITEM = 4
DEPTH = 10  # nesting of one span the walk reads; an OTLP event attribute holding a list is 9 deep

_WS = rb"[ \t\n\r]*+"
_STRING = rb'"(?:[^"\\]++|\\[\s\S])*+"'
# Lenient where leniency cannot move the end of a valid value: a number is a run of number
# characters, a literal a run of letters, a container any bracket to any bracket. What only
# invalid JSON matches, the parser refuses anyway.
_SCALAR = rb"[-0-9][-+.eE0-9]*+|[a-z]++"


def _value(depth: int) -> bytes:
    value = rb"(?>" + _STRING + rb"|" + _SCALAR + rb"|\{" + _WS + rb"\}|\[" + _WS + rb"\])"
    for _ in range(depth):
        member = rb"(?:" + _STRING + _WS + rb":" + _WS + rb")?+" + value + _WS + rb",?+" + _WS
        value = rb"(?>" + _STRING + rb"|" + _SCALAR + rb"|[\[{]" + _WS + rb"(?:" + member + rb")*+[\]}])"
    return value


_KEY = re.compile(rb"(" + _STRING + rb")" + _WS + rb":" + _WS)
_OPEN_OBJECT = re.compile(_WS + rb"\{" + _WS)
_OPEN_LIST = re.compile(_WS + rb"\[" + _WS)
_CLOSE_OBJECT = re.compile(_WS + rb"\}")
_CLOSE_LIST = re.compile(_WS + rb"\]")
_COMMA = re.compile(_WS + rb"," + _WS)
_NULL = re.compile(_WS + rb"null")
_SPACE = re.compile(_WS)
_SIMPLE_RUN = re.compile(  # comma-free items, each followed by its comma
    rb"(?:(?:\{" + _WS + rb"\}|\[" + _WS + rb"\]|" + _SCALAR + rb")" + _WS + rb"," + _WS + rb")*+"
)


@dataclass(frozen=True, slots=True)
class _Values:
    """The patterns that match whole values: compiled on first use (some 20 ms), by the first document
    big enough to need a walk, so that importing traceplay stays quick."""

    skip: re.Pattern[bytes]  # one value
    last: re.Pattern[bytes]  # a list's last item and its closing bracket
    runs: tuple[tuple[int, re.Pattern[bytes]], ...]  # n items, each followed by its comma


@cache
def _values() -> _Values:
    value = _value(DEPTH)
    item = rb"(?:" + value + _WS + rb"," + _WS + rb")"
    return _Values(
        skip=re.compile(value),
        last=re.compile(value + _WS + rb"\]"),
        runs=tuple((n, re.compile(rb"(?>" + item + rb"{%d})" % n)) for n in (256, 32, 4, 1)),
    )


@dataclass(frozen=True, slots=True)
class Floor:
    """The readers will count ``spans`` spans (exactly, when the document is valid)."""

    spans: int


@dataclass(frozen=True, slots=True)
class NoTrace:
    """A list no reader takes (``formats.detect`` refuses it): its length, its first item's type."""

    items: int
    first: str | None  # the Python type the item parses to: dict, list, str, bool, NoneType


def survey(data: bytes) -> Floor | NoTrace | None:
    """What the JSON document at the start of ``data`` holds, or None when the walk cannot tell."""
    walk = _Walk(data)
    try:
        found = walk.document()
    except _GiveUp:
        return None
    if found is None:
        return None
    if isinstance(found, tuple):
        return NoTrace(*found)
    return Floor(found)


class _GiveUp(Exception):
    pass


_TYPES = {b"{": "dict", b"[": "list", b'"': "str", b"t": "bool", b"f": "bool", b"n": "NoneType"}


class _Walk:
    __slots__ = ("data", "items_read", "pos", "steps", "values")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.values = _values()
        self.pos = 0
        self.items_read = 0  # items of the lists counted: the reading allowance grows with them
        self.steps = 0

    # --- tokens ---------------------------------------------------------------------------------

    def _end(self) -> int:
        return min(len(self.data), HEADROOM + BYTES_PER_ITEM * self.items_read)

    def match(self, pattern: re.Pattern[bytes]) -> re.Match[bytes] | None:
        self.steps += 1
        if self.steps > STEPS + STEPS_PER_ITEM * self.items_read:
            raise _GiveUp
        m = pattern.match(self.data, self.pos, self._end())
        if m is not None:
            self.pos = m.end()
        return m

    def expect(self, pattern: re.Pattern[bytes]) -> re.Match[bytes]:
        m = self.match(pattern)
        if m is None:
            raise _GiveUp
        return m

    def peek(self) -> bytes:
        self.match(_SPACE)
        if self.pos >= self._end():
            raise _GiveUp
        return self.data[self.pos : self.pos + 1]

    def skip(self) -> None:
        self.expect(self.values.skip)

    def keys(self) -> Iterator[str]:
        """The keys of the object here, one at a time; the caller reads or skips each value."""
        self.expect(_OPEN_OBJECT)
        if self.match(_CLOSE_OBJECT):
            return
        seen: set[str] = set()
        while True:
            raw = self.expect(_KEY).group(1)
            try:
                key = orjson.loads(raw) if b"\\" in raw else raw[1:-1].decode()
            except (orjson.JSONDecodeError, UnicodeDecodeError):
                raise _GiveUp from None
            if key in seen:  # orjson keeps the last value: which one the reader sees is not known yet
                raise _GiveUp
            seen.add(key)
            yield key
            if self.match(_COMMA) is None:
                self.expect(_CLOSE_OBJECT)
                return

    def items(self) -> Iterator[int]:
        """The items of the list here, one at a time (their index); the caller reads or skips each."""
        self.expect(_OPEN_LIST)
        if self.match(_CLOSE_LIST):
            return
        index = 0
        while True:
            yield index
            index += 1
            if self.match(_COMMA) is None:
                self.expect(_CLOSE_LIST)
                return

    def count_items(self) -> int:
        """The items from here (an item's start) to the end of the list."""
        n = 0
        while True:
            run = self.match(_SIMPLE_RUN)
            if run is not None and run.end() > run.start():
                found = self.data.count(b",", run.start(), run.end())  # one comma per comma-free item
                n += found
                self.items_read += found
                continue
            for size, pattern in self.values.runs:
                if self.match(pattern) is not None:
                    n += size
                    self.items_read += size
                    break
            else:
                self.expect(self.values.last)
                self.items_read += 1
                return n + 1

    def rest(self) -> int:
        """The items after the one just read, to the end of the list."""
        if self.match(_COMMA) is None:
            self.expect(_CLOSE_LIST)
            return 0
        return self.count_items()

    def span_list(self) -> int | None:
        """The length of the list here; None for null."""
        if self.match(_NULL):
            return None
        self.expect(_OPEN_LIST)
        return 0 if self.match(_CLOSE_LIST) else self.count_items()

    def sum_of(self, item: Callable[[], int]) -> int:
        """The sum of ``item`` over the objects of the list here (null: 0)."""
        if self.match(_NULL):
            return 0
        total = 0
        for _ in self.items():
            if self.peek() != b"{":
                raise _GiveUp
            total += item()
        return total

    # --- the readers' paths ---------------------------------------------------------------------

    def document(self) -> int | tuple[int, str | None] | None:
        first = self.peek()
        if first == b"{":
            return self.object_document()
        if first == b"[":
            return self.list_document()
        raise _GiveUp

    def object_document(self) -> int | None:
        """OTLP, Jaeger or traceplay: the key that decides the format may come last."""
        keys: set[str] = set()
        otlp = jaeger = spans = None
        for key in self.keys():
            keys.add(key)
            if key == "resourceSpans":
                otlp = self.sum_of(self.otlp_resource)
            elif key == "data":
                jaeger = self.jaeger_data()
            elif key == "spans":
                spans = self.span_list()
            else:
                self.skip()
        # the order of formats.detect: OTLP, Jaeger (an envelope, one trace), Chrome, traceplay
        if "resourceSpans" in keys:
            return otlp
        if keys & {"batches", "result", "traceEvents"}:
            return None
        if "data" in keys:
            return jaeger
        return spans if keys & {"traceID", "trace_id"} else None

    def otlp_resource(self) -> int:
        found: dict[str, int] = {}
        for key in self.keys():
            if key in ("scopeSpans", "instrumentationLibrarySpans"):
                found[key] = self.sum_of(self.otlp_scope)
            else:
                self.skip()
        return found.get("scopeSpans", found.get("instrumentationLibrarySpans", 0))

    def otlp_scope(self) -> int:
        spans = 0
        for key in self.keys():
            if key == "spans":
                spans = self.span_list() or 0
            else:
                self.skip()
        return spans

    def jaeger_data(self) -> int | None:
        """Jaeger's envelope; None when ``data`` is not what formats.jaeger.detect takes."""
        if self.peek() != b"[":
            raise _GiveUp
        total, detected = 0, True
        for index in self.items():
            if self.peek() != b"{":
                detected = detected and index >= 3  # the reader refuses it; detection reads 3 items
                self.skip()
                continue
            has_spans = False
            for key in self.keys():
                if key == "spans":
                    has_spans = True
                    total += self.span_list() or 0
                else:
                    self.skip()
            detected = detected and (has_spans or index >= 3)
        return total if detected else None

    def list_document(self) -> int | tuple[int, str | None]:
        """Zipkin v2 (a list of spans, or of traces: lists of spans), or a list no reader takes.

        formats.zipkin.detect and formats.chrome.detect look at the first item only."""
        self.expect(_OPEN_LIST)
        if self.match(_CLOSE_LIST):
            return 0, None
        first = self.peek()
        if first == b"{":
            keys = self.first_keys()
            if {"traceId", "id"} <= keys:
                return 1 + self.rest()  # Zipkin: each item is a span
            if "ph" in keys:  # perhaps a Chrome trace event
                raise _GiveUp
            return 1 + self.rest(), "dict"
        if first == b"[":
            self.expect(_OPEN_LIST)
            if self.match(_CLOSE_LIST):
                return 1 + self.rest(), "list"
            if self.peek() != b"{":
                self.count_items()
                return 1 + self.rest(), "list"
            zipkin = {"traceId", "id"} <= self.first_keys()
            spans = 1 + self.rest()
            if not zipkin:
                return 1 + self.rest(), "list"
            while self.match(_COMMA):  # Zipkin: a list of traces, each a list of spans
                if self.peek() != b"[":
                    raise _GiveUp
                spans += self.span_list() or 0
            self.expect(_CLOSE_LIST)
            return spans
        kind = _TYPES.get(first)
        if kind is None:  # a number: int or float, as orjson reads it
            raise _GiveUp
        self.skip()
        self.items_read += 1
        return 1 + self.rest(), kind

    def first_keys(self) -> set[str]:
        """The keys of the object here, its values skipped; it counts as an item read."""
        keys = set()
        for key in self.keys():
            keys.add(key)
            self.skip()
        self.items_read += 1
        return keys
