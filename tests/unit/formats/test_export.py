"""What each exporter writes: the formats' own rules (what Jaeger UI, Zipkin, Perfetto and an OTLP
receiver expect), traceplay's attributes and the semantic conventions."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest

from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import TraceFormatError
from traceplay.formats import EXPORT_FORMATS, FORMATS, dump_trace, get_format
from traceplay.formats.otlp import DEFAULT_START_NS
from traceplay.templates import get_template

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture(scope="module")
def error_trace() -> Trace:
    return simulate(get_template("redis-cache"), "error")


@pytest.fixture(scope="module")
def async_trace() -> Trace:
    return simulate(get_template("kafka-fanout"), "success")


def otlp_spans(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return [
        (rs["resource"], ss["scope"], s)
        for rs in doc["resourceSpans"]
        for ss in rs["scopeSpans"]
        for s in ss["spans"]
    ]


def attrs(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {kv["key"]: next(iter(kv["value"].values())) for kv in items}


def test_registry_names_and_unknown_format() -> None:
    assert EXPORT_FORMATS == ("otlp", "jaeger", "zipkin", "chrome")
    assert [f.name for f in FORMATS] == ["otlp", "jaeger", "zipkin", "chrome", "traceplay"]
    with pytest.raises(TraceFormatError, match="unknown trace format 'xml'"):
        get_format("xml")


def test_otlp_json_mapping(error_trace: Trace) -> None:
    doc = dump_trace(error_trace, "otlp")
    spans = otlp_spans(doc)
    assert len(spans) == len(error_trace.spans)
    services = [
        attrs(r["attributes"])["service.name"] for r in (rs["resource"] for rs in doc["resourceSpans"])
    ]
    assert len(services) == len(set(services)) == len({s.service for s in error_trace.spans})
    for _, scope, span in spans:
        assert scope["name"] == "traceplay"
        assert HEX32.match(span["traceId"]) and HEX16.match(span["spanId"])
        assert span["parentSpanId"] == "" or HEX16.match(span["parentSpanId"])
        assert isinstance(span["startTimeUnixNano"], str) and span["startTimeUnixNano"].isdigit()
        assert int(span["endTimeUnixNano"]) >= int(span["startTimeUnixNano"])
        assert isinstance(span["kind"], int) and 1 <= span["kind"] <= 5
        assert span["status"]["code"] in (1, 2)
    root = next(s for _, _, s in spans if s["spanId"] == error_trace.spans[0].span_id)
    assert int(root["startTimeUnixNano"]) == DEFAULT_START_NS
    a = attrs(root["attributes"])
    assert a["traceplay.flow"] == "redis-cache" and a["traceplay.variant"] == "error"
    assert a["traceplay.node_id"] == "frontend" and a["traceplay.component"] == "frontend"
    failed = next(s for _, _, s in spans if s["status"]["code"] == 2)
    assert failed["status"]["message"].startswith("ECONNREFUSED")
    assert any(e["name"] == "exception" for e in failed["events"])
    redis = attrs(failed["attributes"])
    assert redis["db.system.name"] == redis["db.system"] == "redis"
    assert redis["error.type"] == "connection_refused"


def test_otlp_links_carry_the_reference_type(async_trace: Trace) -> None:
    spans = [s for _, _, s in otlp_spans(dump_trace(async_trace, "otlp"))]
    linked = [s for s in spans if s.get("links")]
    assert linked
    for span in linked:
        (link,) = span["links"]
        assert link["spanId"] == span["parentSpanId"] and link["traceId"] == span["traceId"]
        assert attrs(link["attributes"]) == {"opentracing.ref_type": "follows_from"}


def test_otlp_semantic_conventions_for_http(error_trace: Trace) -> None:
    spans = {s["spanId"]: s for _, _, s in otlp_spans(dump_trace(error_trace, "otlp"))}
    server = next(s for s in error_trace.spans if s.kind == "server" and s.operation.startswith("GET"))
    a = attrs(spans[server.span_id]["attributes"])
    assert a["http.route"] == "/profile" and "http.request.method" in a
    assert a["http.response.status_code"] == "200"  # intValue is a decimal string in OTLP JSON


def test_jaeger_ui_json(error_trace: Trace, async_trace: Trace) -> None:
    doc = dump_trace(error_trace, "jaeger")
    assert set(doc) == {"data", "total", "limit", "offset", "errors"}
    (trace,) = doc["data"]
    assert trace["traceID"] == error_trace.trace_id
    assert {p["serviceName"] for p in trace["processes"].values()} == {s.service for s in error_trace.spans}
    for span in trace["spans"]:
        assert span["processID"] in trace["processes"]
        assert isinstance(span["startTime"], int) and isinstance(span["duration"], int)
        tags = {t["key"]: t for t in span["tags"]}
        assert tags["span.kind"]["value"] in ("server", "client", "producer", "consumer", "internal")
        for tag in span["tags"]:
            assert tag["type"] in ("string", "bool", "int64", "float64")
    failed = next(s for s in trace["spans"] if any(t["key"] == "error" for t in s["tags"]))
    tags = {t["key"]: t["value"] for t in failed["tags"]}
    assert tags["error"] is True and tags["otel.status_code"] == "ERROR"
    assert tags["otel.status_description"].startswith("ECONNREFUSED")
    # async calls follow from their caller
    spans = dump_trace(async_trace, "jaeger")["data"][0]["spans"]
    types = {r["refType"] for s in spans for r in s["references"]}
    assert types == {"CHILD_OF", "FOLLOWS_FROM"}
    assert all(len(s["references"]) <= 1 for s in spans)


def test_zipkin_v2(error_trace: Trace) -> None:
    spans = dump_trace(error_trace, "zipkin")
    for span in spans:
        assert HEX32.match(span["traceId"]) and HEX16.match(span["id"])
        assert span.get("kind", "CLIENT") in ("CLIENT", "SERVER", "PRODUCER", "CONSUMER")
        assert all(isinstance(v, str) for v in span.get("tags", {}).values())
        assert isinstance(span["timestamp"], int)
    failed = next(s for s in spans if "error" in s.get("tags", {}))
    assert failed["tags"]["error"].startswith("ECONNREFUSED")
    assert "parentId" not in spans[0]


def test_chrome_trace_events_nest_per_thread(async_trace: Trace) -> None:
    doc = dump_trace(async_trace, "chrome")
    assert doc["displayTimeUnit"] == "ms" and doc["otherData"]["trace_id"] == async_trace.trace_id
    names = {e["pid"]: e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"}
    assert set(names.values()) == {s.service for s in async_trace.spans}
    complete = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(complete) == len(async_trace.spans)
    lanes: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for e in complete:
        lanes.setdefault((e["pid"], e["tid"]), []).append(e)
    for events in lanes.values():  # every pair of events on a thread nests or is disjoint
        for a in events:
            for b in events:
                if a is not b and a["ts"] <= b["ts"] < a["ts"] + a["dur"]:
                    assert b["ts"] + b["dur"] <= a["ts"] + a["dur"] + 1e-6


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_exports_are_plain_json_and_deterministic(fmt: str, error_trace: Trace) -> None:
    first = orjson.dumps(dump_trace(error_trace, fmt))
    assert first == orjson.dumps(dump_trace(error_trace, fmt))
    assert orjson.loads(first)
