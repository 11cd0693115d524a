"""Import limits that hold before the document is built: JSON Lines read line by line with one span
budget, and ``formats.prescan`` telling from the bytes how many spans the readers will count (or that
no reader takes the document), so that an over-limit file is refused with the readers' own message
before orjson builds it. The walk must be exact where it answers: never a refusal of a file the
readers take within the limit."""

from __future__ import annotations

import contextlib
import gc
import json
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import traceplay.formats as formats
import traceplay.formats.prescan as prescan_module
from tests import fuzzkit
from traceplay.errors import TraceFormatError
from traceplay.formats import detect, load_all, load_trace
from traceplay.formats.prescan import DEPTH, Floor, NoTrace, survey
from traceplay.formats.raw import Budget

TID = "0af7651916cd43dd8448eb211c80319c"


def otlp_span(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "traceId": TID,
        "spanId": f"{i + 1:016x}",
        "name": f"op-{i}",
        "kind": 2,
        "startTimeUnixNano": str(1_700_000_000_000_000_000 + i),
        "endTimeUnixNano": str(1_700_000_000_000_000_000 + i + 1_000),
        **extra,
    }


def jaeger_trace(trace_id: str, n: int) -> dict[str, Any]:
    spans = [
        {"traceID": trace_id, "spanID": f"{i + 1:016x}", "operationName": "x", "startTime": 1, "duration": 1}
        for i in range(n)
    ]
    return {"traceID": trace_id, "spans": [{**s, "processID": "p1"} for s in spans], "processes": PROCESSES}


PROCESSES = {"p1": {"serviceName": "svc", "tags": [{"key": "host", "type": "string", "value": "h"}]}}


def zipkin_span(i: int) -> dict[str, Any]:
    return {"traceId": "a1", "id": f"{i + 1:016x}", "name": "x", "timestamp": 1, "duration": 1}


def otlp(spans: list[Any]) -> dict[str, Any]:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]}
    return {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {}, "spans": spans}]}]}


def empties(n: int) -> bytes:
    return b",".join([b"{}"] * n)


def counted(doc: Any) -> int:
    """The spans a reader takes from its budget reading ``doc`` (that it must read without error)."""
    budget = Budget(10**9)
    detect(doc).read(doc, budget=budget)
    return budget.count


def floor_of(data: bytes) -> int:
    found = survey(data)
    assert isinstance(found, Floor), found
    return found.spans


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import may not parse the document as a whole (orjson.loads of more than 64 KB fails)."""
    real = orjson.loads

    class Guarded:
        JSONDecodeError = orjson.JSONDecodeError

        @staticmethod
        def loads(data: bytes | str) -> Any:
            assert len(data) < 65_536, f"parsed {len(data):,} bytes"
            return real(data)

    monkeypatch.setattr(formats, "orjson", Guarded)


def message_without_prescan(monkeypatch: pytest.MonkeyPatch, data: bytes, **kwargs: Any) -> TraceFormatError:
    """The error an import gave before the walk existed: parsed whole, refused by the reader."""
    with monkeypatch.context() as patch:
        patch.setattr(formats, "survey", lambda data: None)
        with pytest.raises(TraceFormatError) as info:
            load_trace(data, **kwargs)
    return info.value


# --- the walk is exact where it answers ----------------------------------------------------------


def _documents() -> Iterator[tuple[str, bytes]]:
    for name, data in fuzzkit.trace_files():
        lines = [line for line in data.split(b"\n") if line.strip()] if name.endswith(".jsonl") else [data]
        yield from ((name, line) for line in lines)


def test_the_floor_is_the_count_of_every_real_and_exported_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prescan_module, "HEADROOM", 10**9)  # the grammar, whatever the reading cost
    answered = set()
    for name, data in _documents():
        doc = orjson.loads(data)
        fmt = detect(doc).name
        pretty = json.dumps(doc, indent="\t", ensure_ascii=True).replace("\n", "\r\n").encode()
        for variant in (data, pretty):  # whitespace, \u escapes
            found = survey(variant)
            if fmt == "chrome":  # which events are spans depends on each event's "ph": no answer
                assert found is None, name
                continue
            assert isinstance(found, Floor), name
            assert found.spans == counted(doc), name
            answered.add(fmt)
    assert answered == {"otlp", "jaeger", "zipkin", "traceplay"}


def test_strings_holding_json_links_and_unknown_keys_are_not_counted() -> None:
    noise = '{"spanId":"0000000000000001"},' * 100 + '\\"spans\\":[{},{}],"}]'
    span = otlp_span(
        0,
        attributes=[{"key": "http.request.body", "value": {"stringValue": noise}}],
        links=[{"traceId": TID, "spanId": f"{i + 1:016x}"} for i in range(20)],
        spans=[{}] * 50,  # an unknown key of the span
    )
    doc = {**otlp([span]), "extra": {"spans": [{}] * 100}, "resourceSpansCopy": [{}] * 100}
    data = orjson.dumps(doc)
    assert data.count(b"spanId") > 100 and floor_of(data) == counted(doc) == 1


def test_the_walk_gives_up_past_its_reading_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    """16 KB plus 128 bytes per item counted: a document of big spans is left to the reader; 4,096
    tokens plus 4 per item: so is one whose items come one per resource."""
    big = otlp_span(0, attributes=[{"key": "k", "value": {"stringValue": "x" * 20_000}}])
    assert survey(orjson.dumps(otlp([big]))) is None
    assert floor_of(orjson.dumps(otlp([otlp_span(i) for i in range(200)]))) == 200  # ~200 bytes each
    assert survey(orjson.dumps(otlp([{**otlp_span(i), "name": "x" * 300} for i in range(200)]))) is None
    one_each = orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{}]}]}] * 2_000})
    assert survey(one_each) is None
    monkeypatch.setattr(prescan_module, "STEPS", 10**9)
    assert floor_of(one_each) == 2_000


def test_escaped_keys_are_read_as_the_parser_reads_them() -> None:
    spans = b",".join(orjson.dumps(otlp_span(i)) for i in range(7))
    data = b'{"resource\\u0053pans":[{"scope\\u0053pans":[{"span\\u0073":[' + spans + b"]}]}]}"
    assert floor_of(data) == counted(orjson.loads(data)) == 7


@pytest.mark.parametrize(
    ("doc", "spans"),
    [
        ({"resourceSpans": [{"instrumentationLibrarySpans": [{"spans": [{}] * 3}]}]}, 3),
        ({"resourceSpans": [{"scopeSpans": [], "instrumentationLibrarySpans": [{"spans": [{}]}]}]}, 0),
        ({"resourceSpans": None}, 0),
        ({"resourceSpans": [{"scopeSpans": [{"spans": None}, {"spans": [1, "x", [], {}]}]}]}, 4),
        ({"data": [jaeger_trace("a1", 4), jaeger_trace("a2", 2)]}, 6),
        ({"data": []}, 0),
        (jaeger_trace("a1", 5), 5),
        ({"trace_id": TID, "spans": [{}] * 5}, 5),
        ([zipkin_span(i) for i in range(5)], 5),
        ([[zipkin_span(0), zipkin_span(1)], [], [zipkin_span(i) for i in range(2, 5)]], 5),
    ],
)
def test_each_reader_path_is_counted_as_the_reader_counts_it(doc: Any, spans: int) -> None:
    budget = Budget(10**9)
    with contextlib.suppress(TraceFormatError):  # it refuses the spans after taking them from its budget
        detect(doc).read(doc, budget=budget)
    assert floor_of(orjson.dumps(doc)) == budget.count == spans


@pytest.mark.parametrize(
    "data",
    [
        b'{"traceEvents":[' + b",".join([b'{"ph":"X","ts":0}'] * 5) + b"]}",  # Chrome
        b'[{"ph":"X","ts":0},{}]',
        b'{"batches":[{"scopeSpans":[{"spans":[{}]}]}]}',  # Tempo
        b'{"result":{"resourceSpans":[]}}',
        b'{"batches":[],"traceID":"a1","spans":[{}]}',  # OTLP, whatever else it holds
        b'{"result":{"resourceSpans":[]},"traceID":"a1","spans":[{}]}',
        b'{"traceEvents":[],"trace_id":"a1","spans":[{}]}',  # Chrome
        b'{"resourceSpans":[{"scopeSpans":[{"spans":[' + empties(9) + b']}]}],"resourceSpans":[]}',
        b'{"resourceSpans":[{"scopeSpans":[{"spans":[{}],"spans":[]}]}]}',
        b'{"resourceSpans":[{"scopeSpans":[{"spans":[' + b"[" * (DEPTH + 2) + b"]" * (DEPTH + 2) + b"]}]}]}",
        b'{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}',
        b'{"data":[{"traceID":"a1"}],"trace_id":"x","spans":[{}]}',  # Jaeger's detect says no
        b'{"spans":[{}]}',
        b"[1,{}]",  # int or float: as orjson reads it
        b'"a string"',
    ],
)
def test_what_the_walk_cannot_be_sure_of_it_leaves_to_the_reader(data: bytes) -> None:
    assert survey(data) is None


@pytest.mark.parametrize(
    "data",
    [
        b"[" + empties(6) + b"]",
        b"[[]," + empties(5) + b"]",
        b'[[{"a":1}],1,2,3,4,5]',
        b'["x",1,2,3,4,5]',
        b"[]",
    ],
)
def test_a_list_no_reader_takes_is_described_as_detect_describes_it(data: bytes) -> None:
    found = survey(data)
    assert isinstance(found, NoTrace)
    with pytest.raises(TraceFormatError) as info:
        detect(orjson.loads(data))
    assert (
        info.value.message == formats._not_a_trace(formats._describe_list(found.items, found.first)).message
    )


@given(fuzzkit.mutated_json(fuzzkit.trace_documents()))
@fuzzkit.fuzz_settings(150)
def test_mutated_documents_get_an_exact_floor_or_none(doc: Any) -> None:
    _check_exact(json.dumps(doc).encode())  # (json: orjson refuses to write a 65-bit integer)


@given(st.sampled_from(fuzzkit.trace_files()).flatmap(lambda file: fuzzkit.mutated_bytes(file[1])))
@fuzzkit.fuzz_settings(150)
def test_mutated_bytes_get_an_exact_floor_or_none(data: bytes) -> None:
    _check_exact(data)


def _check_exact(data: bytes) -> None:
    """Whatever the walk answers of a valid document, the reader agrees: the spans it takes from its
    budget are the floor (a reader that refuses the document after taking them is fine), and a list
    said to be no trace is refused by detect."""
    found = survey(data)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return  # refused either way
    if isinstance(found, NoTrace):
        with pytest.raises(TraceFormatError, match="not a trace document"):
            detect(doc)
    elif isinstance(found, Floor):
        budget = Budget(10**9)
        try:
            detect(doc).read(doc, budget=budget)
        except TraceFormatError:
            assert budget.count <= found.spans
            return
        assert budget.count == found.spans


# --- refused before parsing, with the reader's message -------------------------------------------

HUGE = 300_000  # {} spans: 900 KB of bytes, 20 MB of dicts once parsed

OVER_LIMIT: dict[str, bytes] = {
    "otlp": b'{"resourceSpans":[{"scopeSpans":[{"spans":[' + empties(HUGE) + b"]}]}]}",
    "otlp, spans with keys": orjson.dumps(otlp([{"a": 1}] * (HUGE // 3))),
    "jaeger": b'{"data":[{"traceID":"a1","processes":{},"spans":[' + empties(HUGE) + b"]}]}",
    "jaeger, one trace": b'{"traceID":"a1","spans":[' + empties(HUGE) + b"]}",
    "zipkin": orjson.dumps([zipkin_span(i) for i in range(1_500)]),
    "zipkin, traces": orjson.dumps([[zipkin_span(0)], [zipkin_span(i) for i in range(1, 1_500)]]),
    "traceplay": b'{"trace_id":"a1","spans":[' + empties(HUGE) + b"]}",
    "not a trace": b"[" + empties(HUGE) + b"]",
}


@pytest.mark.parametrize("name", OVER_LIMIT)
def test_an_over_limit_document_is_refused_before_it_is_parsed_with_the_same_message(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = OVER_LIMIT[name]
    before = message_without_prescan(monkeypatch, data, max_spans=1_000)
    no_parsing(monkeypatch)
    with pytest.raises(TraceFormatError) as info:
        load_trace(data, max_spans=1_000)
    assert (info.value.message, info.value.problems) == (before.message, before.problems)
    if name != "not a trace":
        assert before.message == "the document holds more than 1,000 spans"
        assert "TRACEPLAY_MAX_SPANS" in before.problems[0].message


def test_zipkin_items_that_are_not_spans_are_refused_by_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Zipkin reader takes one span at a time and checks it: parsed, this list is refused at its
    second item; unparsed, by its length, which is as true and costs nothing."""
    data = b'[{"traceId":"a1","id":"b1"},' + empties(HUGE) + b"]"
    assert "[1].traceId" in message_without_prescan(monkeypatch, data, max_spans=1_000).message
    no_parsing(monkeypatch)
    with pytest.raises(TraceFormatError) as info:
        load_trace(data, max_spans=1_000)
    assert info.value.message == "the document holds more than 1,000 spans"


def test_the_refusal_is_at_the_limit_not_before_it() -> None:
    doc = otlp([otlp_span(i) for i in range(400)])
    data = orjson.dumps(doc)
    assert len(data) // 2 > 400  # big enough for the walk to run
    assert len(load_trace(data, max_spans=400)[0].spans) == 400
    with pytest.raises(TraceFormatError, match="more than 399 spans"):
        load_trace(data, max_spans=399)


def test_a_rejected_document_costs_a_fraction_of_parsing_it() -> None:
    data = OVER_LIMIT["otlp"]
    parsed = _peak(lambda: orjson.loads(data))
    refused = _peak(lambda: _refused(data, max_spans=1_000))
    assert parsed > 10_000_000 and refused < parsed / 20, (refused, parsed)


def _refused(data: bytes, **kwargs: Any) -> None:
    with pytest.raises(TraceFormatError):
        load_trace(data, **kwargs)


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_files_within_the_limit_import_exactly_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, data in fuzzkit.trace_files():
        traces, fmt = load_all(data)
        spans = sum(len(t.spans) for t in traces)
        tight = load_all(data, max_spans=spans)  # tight: the walk runs on every file and passes it
        assert tight == (traces, fmt), name
        with monkeypatch.context() as patch:
            patch.setattr(formats, "survey", lambda data: None)
            assert load_all(data, max_spans=spans) == tight, name


# --- JSON Lines: one line at a time --------------------------------------------------------------


def jsonl(lines: int, spans: int) -> bytes:
    return b"\n".join(
        orjson.dumps(otlp([otlp_span(n * spans + i) for i in range(spans)])) for n in range(lines)
    )


def test_json_lines_stop_at_the_line_that_passes_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real = orjson.loads

    class Spy:
        JSONDecodeError = orjson.JSONDecodeError

        @staticmethod
        def loads(data: bytes | str) -> Any:
            parsed.append(len(data))
            return real(data)

    monkeypatch.setattr(formats, "orjson", Spy)
    with pytest.raises(TraceFormatError) as info:
        load_trace(jsonl(200, 50), max_spans=1_000)
    assert info.value.message == "document 21: the document holds more than 1,000 spans"
    # lines 1 to 20 took the whole budget; line 21 was refused by its bytes; the file was never
    # parsed whole
    assert len(parsed) == 20 and max(parsed) < 10_000


def test_a_rejected_json_lines_import_costs_a_fraction_of_parsing_every_line() -> None:
    data = jsonl(300, 20)
    parsed = _peak(lambda: [orjson.loads(line) for line in data.split(b"\n")])
    refused = _peak(lambda: _refused(data, max_spans=200))
    assert refused < parsed / 10, (refused, parsed)


def test_a_line_whose_bytes_pass_what_is_left_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_parsing(monkeypatch)
    small = orjson.dumps(otlp([otlp_span(i) for i in range(10)]))
    big = b'{"resourceSpans":[{"scopeSpans":[{"spans":[' + empties(HUGE) + b"]}]}]}"
    with pytest.raises(TraceFormatError) as info:
        load_trace(b"\n".join([small, small, big, small]), max_spans=1_000)
    assert info.value.message == "document 3: the document holds more than 1,000 spans"
    with pytest.raises(TraceFormatError) as info:
        load_trace(big + b"\n" + small, max_spans=1_000)
    assert info.value.message == "document 1: the document holds more than 1,000 spans"


def test_json_lines_within_the_limit_merge_as_before() -> None:
    """One trace spread over lines, lines without spans and blank lines between them: the same
    traces as the one document holding every span."""
    lines = [orjson.dumps(otlp([otlp_span(i) for i in range(k, k + 4)])) for k in (0, 4, 8)]
    lines += [
        orjson.dumps(otlp([])),
        b"  ",
        orjson.dumps(otlp([])),
        orjson.dumps(otlp([otlp_span(12), otlp_span(13)])),
    ]
    data = b"\n".join(lines) + b"\n"
    expected = load_all(orjson.dumps(otlp([otlp_span(i) for i in range(14)])))
    assert load_all(data, max_spans=14) == expected and len(expected[0][0].spans) == 14
    with pytest.raises(TraceFormatError, match=r"^document 6: the document holds more than 13 spans"):
        load_all(data, max_spans=13)


def test_json_lines_errors_still_name_the_document_and_the_line() -> None:
    good = orjson.dumps(otlp([otlp_span(0)]))
    with pytest.raises(TraceFormatError) as info:
        load_trace(good + b"\n\n" + good + b"\n{oops\n")
    assert info.value.message == "not valid JSON" and info.value.problems[0].line == 4
    with pytest.raises(TraceFormatError, match=r"^document 2: resourceSpans"):
        load_trace(good + b"\n" + b'{"resourceSpans":[1]}')
    with pytest.raises(TraceFormatError, match=r"^JSON Lines: document 2 is not OTLP JSON"):
        load_trace(good + b"\n" + b'[{"traceId":"a1","id":"b1"}]')
