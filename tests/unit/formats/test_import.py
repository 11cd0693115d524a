"""Import: detection, JSON Lines, several traces, what real exporters do (tolerated) and what makes
no sense (a TraceFormatError naming the place)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from traceplay.errors import TraceFormatError
from traceplay.formats import detect, load_all, load_trace
from traceplay.formats.raw import DEFAULT_MAX_SPANS

TID = "0af7651916cd43dd8448eb211c80319c"
BASE = 1_700_000_000_000_000_000  # Unix ns; the spans below start BASE + start


def otlp_span(
    span_id: str, parent: str = "", *, start: int = 1_000_000_000, end: int = 2_000_000_000, **extra: Any
) -> dict[str, Any]:
    return {
        "traceId": TID,
        "spanId": span_id,
        "parentSpanId": parent,
        "name": f"op-{span_id[-2:]}",
        "kind": 2,
        "startTimeUnixNano": str(BASE + start),
        "endTimeUnixNano": str(BASE + end),
        **extra,
    }


def otlp(*spans: dict[str, Any], service: str = "svc") -> dict[str, Any]:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return {
        "resourceSpans": [
            {"resource": resource, "scopeSpans": [{"scope": {"name": "lib"}, "spans": list(spans)}]}
        ]
    }


def load(doc: Any, **kwargs: Any) -> Any:
    return load_trace(orjson.dumps(doc), **kwargs)


def error_of(doc: Any, **kwargs: Any) -> TraceFormatError:
    with pytest.raises(TraceFormatError) as info:
        load(doc, **kwargs) if not isinstance(doc, bytes) else load_trace(doc, **kwargs)
    return info.value


# --- detection and documents --------------------------------------------------------------------


def test_detection_by_shape() -> None:
    assert detect({"resourceSpans": []}).name == "otlp"
    assert detect({"batches": []}).name == "otlp"
    assert detect({"result": {"resourceSpans": []}}).name == "otlp"
    assert detect({"data": [{"traceID": "1", "spans": []}]}).name == "jaeger"
    assert detect({"traceID": "1", "spans": []}).name == "jaeger"
    assert detect([{"traceId": "1", "id": "2"}]).name == "zipkin"
    assert detect([[{"traceId": "1", "id": "2"}]]).name == "zipkin"
    assert detect({"traceEvents": []}).name == "chrome"
    assert detect([{"ph": "X", "ts": 1}]).name == "chrome"
    assert detect({"trace_id": TID, "spans": []}).name == "traceplay"


def test_an_unknown_document_says_what_was_found() -> None:
    err = error_of({"nodes": [], "edges": []})
    assert "found an object with the keys nodes, edges" in err.message
    assert "resourceSpans" in str(err)


def test_json_lines_merge_one_trace_spread_over_lines() -> None:
    lines = [
        orjson.dumps(otlp(otlp_span("00000000000000b1", "00000000000000a1"))),
        orjson.dumps(otlp(otlp_span("00000000000000a1", start=500_000_000))),
    ]
    trace, fmt, count = load_trace(b"\n".join(lines) + b"\n")
    assert (fmt, count, len(trace.spans)) == ("otlp", 1, 2)
    assert trace.spans[0].span_id == "00000000000000a1" and trace.spans[1].start_ms == 500.0


def test_json_lines_with_a_bad_line_names_the_line() -> None:
    data = orjson.dumps(otlp(otlp_span("00000000000000b1"))) + b"\n{oops\n"
    err = error_of(data)
    assert err.message == "not valid JSON" and err.problems[0].line == 2


def test_json_lines_of_mixed_formats_are_refused() -> None:
    data = (
        orjson.dumps(otlp(otlp_span("00000000000000b1")))
        + b"\n"
        + orjson.dumps([{"traceId": TID, "id": "1"}])
    )
    assert "document 2 is not OTLP JSON" in error_of(data).message


def test_several_traces_pick_one_by_index_or_list_them() -> None:
    other = "1" * 32
    doc = otlp(otlp_span("00000000000000a1"), {**otlp_span("00000000000000a2"), "traceId": other})
    first, _, count = load(doc)
    assert (first.trace_id, count) == (TID, 2)
    assert load(doc, index=1)[0].trace_id == other
    err = error_of(doc, index=5, name="two.json")
    assert err.source == "two.json" and "there is no trace 5" in err.message
    assert [p.message for p in err.problems] == [f"[0] {TID} (1 spans)", f"[1] {other} (1 spans)"]


def test_limits_on_bytes_and_spans() -> None:
    doc = otlp(*(otlp_span(f"{i + 1:016x}") for i in range(5)))
    assert "the limit is 10" in error_of(doc, max_bytes=10).message
    assert "more than 4 spans" in error_of(doc, max_spans=4).message
    assert len(load(doc, max_spans=5)[0].spans) == 5
    assert DEFAULT_MAX_SPANS == 200_000


def test_empty_and_not_json() -> None:
    assert error_of(b"  \n").message == "the document is empty"
    assert error_of(b"{").message == "not valid JSON"
    assert "holds no spans" in error_of({"resourceSpans": []}).message


# --- tolerated: what real exporters write -------------------------------------------------------


def test_enum_names_int_as_numbers_and_old_field_names() -> None:
    span = otlp_span("00000000000000a1", kind="SPAN_KIND_CLIENT", status={"code": "STATUS_CODE_ERROR"})
    span["startTimeUnixNano"] = BASE + 1_000_000_000
    doc = {
        "resourceSpans": [
            {
                "resource": {},
                "instrumentationLibrarySpans": [{"instrumentationLibrary": {"name": "old"}, "spans": [span]}],
            }
        ]
    }
    trace = load(doc)[0]
    s = trace.spans[0]
    assert (s.kind, s.status, s.service) == ("client", "error", "unknown_service")
    assert s.attributes["otel.scope.name"] == "old"


def test_attribute_values_of_every_type() -> None:
    attrs = [
        {"key": "s", "value": {"stringValue": "x"}},
        {"key": "i", "value": {"intValue": "42"}},
        {"key": "d", "value": {"doubleValue": 1.5}},
        {"key": "b", "value": {"boolValue": True}},
        {"key": "a", "value": {"arrayValue": {"values": [{"intValue": 1}, {"intValue": "2"}]}}},
        {"key": "m", "value": {"arrayValue": {"values": [{"intValue": 1}, {"stringValue": "x"}]}}},
        {"key": "kv", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"stringValue": "v"}}]}}},
        {"key": "raw", "value": {"bytesValue": "AAE="}},
        {"key": "empty", "value": {}},
    ]
    s = load(otlp(otlp_span("00000000000000a1", attributes=attrs)))[0].spans[0]
    assert s.attributes.pop("otel.scope.name") == "lib"
    assert s.attributes.pop("traceplay.start_unix_nano") == str(BASE + 1_000_000_000)
    assert s.attributes == {
        "s": "x",
        "i": 42,
        "d": 1.5,
        "b": True,
        "a": [1, 2],
        "m": ["1", "x"],
        "kv": '{"k":"v"}',
        "raw": "AAE=",
        "empty": None,
    }


def test_error_message_from_status_or_exception_event() -> None:
    event = {
        "timeUnixNano": str(BASE + 1_500_000_000),
        "name": "exception",
        "attributes": [{"key": "exception.message", "value": {"stringValue": "boom"}}],
    }
    a = otlp_span("00000000000000a1", status={"code": 2, "message": "db down"})
    b = otlp_span("00000000000000a2", "00000000000000a1", status={"code": 2}, events=[event])
    trace = load(otlp(a, b))[0]
    assert [s.error for s in trace.spans] == ["db down", "boom"]
    assert trace.spans[1].events[0].time_ms == 500.0


def test_orphans_are_roots_and_the_earliest_root_is_the_entry() -> None:
    late = otlp_span("00000000000000a1", "ffffffffffffffff", start=3_000_000_000, end=4_000_000_000)
    early = otlp_span("00000000000000a2", "eeeeeeeeeeeeeeee", start=1_000_000_000, end=1_500_000_000)
    trace = load(otlp(late, early))[0]
    assert [s.span_id for s in trace.spans] == ["00000000000000a2", "00000000000000a1"]
    assert trace.response_ms == 500.0 and trace.duration_ms == 3000.0
    assert [s.parent_id for s in trace.spans] == ["eeeeeeeeeeeeeeee", "ffffffffffffffff"]


def test_duplicate_span_ids_are_renamed_and_children_stay_with_the_first() -> None:
    a1 = otlp_span("00000000000000a1")
    a2 = otlp_span("00000000000000a1", start=1_100_000_000)
    child = otlp_span("00000000000000b1", "00000000000000a1", start=1_200_000_000, end=1_300_000_000)
    trace = load(otlp(a1, a2, child))[0]
    ids = [s.span_id for s in trace.spans]
    assert len(set(ids)) == 3
    renamed = next(s for s in trace.spans if "traceplay.original_span_id" in s.attributes)
    assert renamed.attributes["traceplay.original_span_id"] == "00000000000000a1"
    assert next(s for s in trace.spans if s.span_id == "00000000000000b1").parent_id == "00000000000000a1"


def test_a_child_before_its_parent_moves_into_it() -> None:
    parent = otlp_span("00000000000000a1", kind=3, start=1_000_000_000, end=1_100_000_000)
    child = otlp_span("00000000000000b1", "00000000000000a1", kind=2, start=900_000_000, end=960_000_000)
    grandchild = otlp_span("00000000000000c1", "00000000000000b1", start=910_000_000, end=920_000_000)
    trace = load(otlp(parent, child, grandchild))[0]
    p, c, g = trace.spans
    assert (p.start_ms, c.start_ms, g.start_ms) == (0.0, 20.0, 30.0)  # centred: (100 - 60) / 2
    assert c.attributes["traceplay.clock_skew_ms"] == 120.0
    assert "traceplay.clock_skew_ms" not in g.attributes


def test_zero_parent_and_self_parent_mean_no_parent() -> None:
    a = otlp_span("00000000000000a1", "0000000000000000")
    b = otlp_span("00000000000000b1", "00000000000000b1", start=1_500_000_000)
    trace = load(otlp(a, b))[0]
    assert [s.parent_id for s in trace.spans] == [None, None]


def test_zipkin_list_of_traces_and_missing_timestamps() -> None:
    doc = [
        [
            {
                "traceId": "a" * 16,
                "id": "1",
                "name": "root",
                "timestamp": 1000,
                "duration": 50,
                "localEndpoint": {"serviceName": "web"},
            },
            {"traceId": "a" * 16, "id": "2", "parentId": "1", "name": "late", "tags": {"error": ""}},
        ]
    ]
    trace, fmt, _ = load(doc)
    assert fmt == "zipkin"
    late = trace.spans[1]
    assert (late.start_ms, late.duration_ms, late.status, late.error) == (0.0, 0.0, "error", "error")
    assert late.service == "unknown"


def test_chrome_events_from_other_tools_nest_by_thread() -> None:
    events = [
        {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "renderer"}},
        {"ph": "X", "name": "outer", "ts": 0, "dur": 100, "pid": 1, "tid": 1, "cat": "blink"},
        {"ph": "B", "name": "inner", "ts": 10, "pid": 1, "tid": 1},
        {"ph": "E", "ts": 30, "pid": 1, "tid": 1},
        {"ph": "X", "name": "other thread", "ts": 20, "dur": 5, "pid": 1, "tid": 2},
        {"ph": "i", "name": "ignored", "ts": 5, "pid": 1, "tid": 1},
    ]
    trace = load({"traceEvents": events})[0]
    by_name = {s.operation: s for s in trace.spans}
    assert set(by_name) == {"outer", "inner", "other thread"}
    assert by_name["inner"].parent_id == by_name["outer"].span_id
    assert by_name["other thread"].parent_id is None
    assert by_name["inner"].duration_ms == 0.02 and by_name["outer"].service == "renderer"
    assert by_name["outer"].attributes == {"chrome.category": "blink"}


# --- refused: nonsense, with the place ----------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "loc", "words"),
    [
        (
            otlp({**otlp_span("00000000000000a1"), "spanId": "nothex"}),
            "resourceSpans[0].scopeSpans[0].spans[0].spanId",
            "not a hex id",
        ),
        (
            otlp(otlp_span("00000000000000a1"), otlp_span("00000000000000a2", start=5, end=1)),
            "resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano",
            "before it starts",
        ),
        (
            otlp({**otlp_span("00000000000000a1"), "kind": 9}),
            "resourceSpans[0].scopeSpans[0].spans[0].kind",
            "unknown span kind",
        ),
        (
            otlp({k: v for k, v in otlp_span("00000000000000a1").items() if k != "startTimeUnixNano"}),
            "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano",
            "needs",
        ),
        (
            otlp(otlp_span("00000000000000a1", attributes=[{"key": "x", "value": {"intValue": "ten"}}])),
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue",
            "integer",
        ),
        (
            otlp(otlp_span("00000000000000a1", attributes=[{"value": {}}])),
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0]",
            "string 'key'",
        ),
        (
            {"resourceSpans": [{"scopeSpans": [{"spans": ["x"]}]}]},
            "resourceSpans[0].scopeSpans[0].spans[0]",
            "must be an object",
        ),
        ({"resourceSpans": {"a": 1}}, "resourceSpans", "must be a list"),
        (
            {
                "data": [
                    {
                        "traceID": "1",
                        "spans": [{"spanID": "2", "startTime": 1, "processID": "p9"}],
                        "processes": {},
                    }
                ]
            },
            "data[0].spans[0].processID",
            "not in the trace's processes",
        ),
        (
            {
                "data": [
                    {
                        "traceID": "1",
                        "spans": [{"spanID": "2", "startTime": "soon", "processID": "p1"}],
                        "processes": {"p1": {"serviceName": "a"}},
                    }
                ]
            },
            "data[0].spans[0].startTime",
            "number",
        ),
        (
            {
                "traceID": "1",
                "processes": {"p1": {"serviceName": "a"}},
                "spans": [
                    {
                        "spanID": "2",
                        "startTime": 1,
                        "processID": "p1",
                        "references": [{"refType": "PARENT", "spanID": "1"}],
                    }
                ],
            },
            "spans[0].references[0].refType",
            "CHILD_OF or FOLLOWS_FROM",
        ),
        (
            {
                "traceID": "1",
                "processes": {"p1": {"serviceName": "a"}},
                "spans": [
                    {
                        "spanID": "2",
                        "startTime": 1,
                        "processID": "p1",
                        "tags": [{"key": "n", "type": "int64", "value": "x"}],
                    }
                ],
            },
            "spans[0].tags[0].value",
            "integer",
        ),
        (
            [{"traceId": "a" * 16, "id": "1", "kind": "SIDEWAYS", "timestamp": 1}],
            "[0].kind",
            "must be one of",
        ),
        ([{"traceId": "a" * 16, "id": "1", "timestamp": 1, "duration": -5}], "[0].duration", "negative"),
        ({"traceEvents": [{"ph": "E", "ts": 1}]}, "traceEvents[0]", "without a begin"),
        ({"traceEvents": [{"ph": "X", "ts": "x", "dur": 1}]}, "traceEvents[0].ts", "number"),
    ],
)
def test_nonsense_is_refused_with_its_place(doc: Any, loc: str, words: str) -> None:
    err = error_of(doc, name="bad.json")
    assert err.problems[0].loc == loc
    assert words in err.problems[0].message
    assert err.source == "bad.json" and str(err).startswith("bad.json: ")


def test_parent_loops_are_refused_naming_the_loop() -> None:
    a = otlp_span("00000000000000a1", "00000000000000b1")
    b = otlp_span("00000000000000b1", "00000000000000a1")
    root = otlp_span("00000000000000c1")
    err = error_of(otlp(root, a, b))
    assert "form a loop" in err.message
    assert "00000000000000a1 → 00000000000000b1" in err.problems[0].message


def test_load_all_returns_every_trace() -> None:
    doc = otlp(otlp_span("00000000000000a1"), {**otlp_span("00000000000000a2"), "traceId": "2" * 32})
    traces, fmt = load_all(orjson.dumps(doc))
    assert (fmt, [t.trace_id for t in traces]) == ("otlp", [TID, "2" * 32])
