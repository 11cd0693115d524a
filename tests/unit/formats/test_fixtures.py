"""Real trace files from public repositories (tests/fixtures/traces, see SOURCES.md): each imports
with the counts SOURCES.md lists, and converts to Jaeger as Jaeger itself does (golden files)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from traceplay.domain.flow import parse_flow
from traceplay.formats import dump_trace, load_all, load_trace
from traceplay.formats.graph import flow_from_trace, stamp_trace

from .helpers import FIXTURES, FORMAT_OF_KIND, Facts, fixture_facts

FACTS = fixture_facts()


def test_sources_lists_every_fixture_file() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.name != "SOURCES.md"}
    assert {f.file for f in FACTS} == files
    assert "Apache-2.0" in (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("facts", FACTS, ids=lambda f: f.file)
def test_each_fixture_imports_with_the_counts_sources_lists(facts: Facts) -> None:
    traces, fmt = load_all((FIXTURES / facts.file).read_bytes(), name=facts.file)
    assert fmt == FORMAT_OF_KIND[facts.kind]
    assert len(traces) == facts.traces
    trace = traces[0]
    assert len(trace.spans) == facts.spans
    assert sorted({s.service for s in trace.spans}) == sorted(facts.services)
    ids = {s.span_id for s in trace.spans}
    assert len(ids) == len(trace.spans), "span ids are unique after import"
    assert sum(s.parent_id is None for s in trace.spans) == facts.roots
    assert sum(s.parent_id is not None and s.parent_id not in ids for s in trace.spans) == facts.orphans
    renamed = {
        s.attributes["traceplay.original_span_id"]
        for s in trace.spans
        if "traceplay.original_span_id" in s.attributes
    }
    assert len(renamed) == facts.dup_ids
    # the Trace contract: times from the trace start, the entry root first, its duration and status
    assert min(s.start_ms for s in trace.spans) == 0.0
    assert trace.spans[0] in trace.roots()
    assert trace.response_ms == trace.spans[0].duration_ms
    assert trace.status == trace.spans[0].status
    assert trace.duration_ms == pytest.approx(max(s.end_ms for s in trace.spans))
    assert [s.span_id for s, _ in trace.walk()] == [s.span_id for s in trace.spans]  # depth-first order


@pytest.mark.parametrize("facts", FACTS, ids=lambda f: f.file)
def test_each_fixture_gets_a_valid_service_graph(facts: Facts) -> None:
    trace = load_trace((FIXTURES / facts.file).read_bytes())[0]
    flow = flow_from_trace(trace)
    assert parse_flow(flow.model_dump(mode="json")) == flow
    labels = {n.label for n in flow.nodes}
    assert set(facts.services) <= labels
    stamped = stamp_trace(trace)
    nodes = {n.id for n in stamped.nodes}
    edges = {e.id: e for e in stamped.edges}
    for span in trace.spans:
        assert span.node_id in nodes
        assert span.edge_id is None or span.edge_id in edges
        if span.edge_id is not None:
            assert edges[span.edge_id].target == span.node_id


def _span_view(span: dict[str, Any], processes: dict[str, Any]) -> tuple[Any, ...]:
    service = processes[span["processID"]]["serviceName"]
    refs = tuple((r["refType"], r["spanID"]) for r in span["references"])
    return (span["operationName"], service, span["startTime"], span["duration"], refs)


def _tags(span: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {t["key"]: (t["type"], t["value"]) for t in span["tags"] if t["key"] in keys}


@pytest.mark.parametrize(
    ("source", "golden", "tags"),
    [
        (
            "otlp2jaeger-in.otlp.json",
            "otlp2jaeger-out.jaeger.json",
            ("span.kind", "otel.scope.name", "net.peer.ip", "peer.service"),
        ),
        ("otlp-multi-in.jsonl", "otlp-multi-out.jaeger.json", ("span.kind",)),
    ],
)
def test_otlp_converts_to_jaeger_as_jaeger_does(source: str, golden: str, tags: tuple[str, ...]) -> None:
    trace = load_trace((FIXTURES / source).read_bytes())[0]
    ours = dump_trace(trace, "jaeger")["data"][0]
    theirs = orjson.loads((FIXTURES / golden).read_bytes())["data"][0]
    assert ours["traceID"] == theirs["traceID"]
    # same spans (Jaeger keeps a duplicated id twice; we rename the second: compare by operation/time)
    mine = sorted(_span_view(s, ours["processes"]) for s in ours["spans"])
    gold = sorted(_span_view(s, theirs["processes"]) for s in theirs["spans"])
    assert mine == gold
    by_id = {s["spanID"]: s for s in theirs["spans"]}
    for span in ours["spans"]:
        original = next((t["value"] for t in span["tags"] if t["key"] == "traceplay.original_span_id"), None)
        expected = by_id[original or span["spanID"]]
        assert _tags(span, tags) == _tags(expected, tags)


def test_golden_scope_name_matches_the_older_library_tag() -> None:
    """otlp-multi-out.jaeger.json still says otel.library.name; we write the current otel.scope.name."""
    trace = load_trace((FIXTURES / "otlp-multi-in.jsonl").read_bytes())[0]
    ours = {s["spanID"]: s for s in dump_trace(trace, "jaeger")["data"][0]["spans"]}
    theirs = orjson.loads((FIXTURES / "otlp-multi-out.jaeger.json").read_bytes())["data"][0]["spans"]
    for gold in theirs:
        old = {t["key"]: t["value"] for t in gold["tags"]}
        new = {t["key"]: t["value"] for t in ours[gold["spanID"]]["tags"]}
        assert new["otel.scope.name"] == old["otel.library.name"]
        assert new.get("otel.scope.version") == old.get("otel.library.version")
    process = next(iter(dump_trace(trace, "jaeger")["data"][0]["processes"].values()))
    assert {t["key"] for t in process["tags"]} == {
        "telemetry.sdk.language",
        "telemetry.sdk.name",
        "telemetry.sdk.version",
    }


def test_jaeger_edge_cases_keep_typed_tags_links_and_warnings() -> None:
    trace = load_trace((FIXTURES / "jaeger-ui_01-edgecases.json").read_bytes())[0]
    spans = {(s.operation, s.span_id): s for s in trace.spans}
    tagged = next(s for s in trace.spans if "temperature" in s.attributes)
    assert tagged.attributes["peer.ipv4"] == 23456
    assert tagged.attributes["temperature"] == 72.5
    assert tagged.attributes["javascript_limit"] == 9223372036854775222
    assert tagged.attributes["blob"] == "AAAwOQ=="
    assert tagged.status == "error"  # error=true
    ref = next(s for _, s in spans.items() if s.operation == "reference-test")
    assert ref.parent_id == "0000000000000002"
    assert [(k.trace_id, k.type) for k in ref.links] == [
        ("000000000000000000000000000000ff", "child_of"),
        (None, "follows_from"),
    ]
    assert ref.attributes["jaeger.warnings"] == ["some span warning"]
    first = next(s for s in trace.spans if s.operation == "test-general-conversion")
    assert [(e.name, e.attributes) for e in first.events] == [("some-event", {}), ("log", {"x": "y"})]


def test_zipkin_shared_server_becomes_the_child_of_its_client_and_skew_is_corrected() -> None:
    trace = load_trace((FIXTURES / "zipkin-skew.json").read_bytes())[0]
    by_op = {(s.service, s.kind): s for s in trace.spans}
    client, server = by_op[("servicea", "client")], by_op[("serviceb", "server")]
    assert server.parent_id == client.span_id == "74280ae0c10d8062"
    assert server.attributes["traceplay.original_span_id"] == client.span_id
    # the server started 65 ms before its client on another clock: moved into it, centred
    assert client.start_ms <= server.start_ms and server.end_ms <= client.end_ms
    assert server.start_ms - client.start_ms == pytest.approx(client.end_ms - server.end_ms, abs=0.001)
    assert server.attributes["traceplay.clock_skew_ms"] == pytest.approx(65.922)
    local = by_op[("serviceb", "internal")]
    assert local.parent_id == server.span_id  # the server's local work moved with it
    assert local.start_ms - server.start_ms == pytest.approx(0.001)
    # written back to Zipkin as Zipkin had it: one shared id
    doc = dump_trace(trace, "zipkin")
    shared = [s for s in doc if s["id"] == "74280ae0c10d8062"]
    assert sorted(s.get("shared", False) for s in shared) == [False, True]


def test_zipkin_messaging_consumer_follows_from_its_producer() -> None:
    trace = load_trace((FIXTURES / "zipkin-messaging.json").read_bytes())[0]
    consumer = next(s for s in trace.spans if s.kind == "consumer")
    assert [(k.span_id, k.type) for k in consumer.links] == [(consumer.parent_id, "follows_from")]
    assert consumer.attributes["peer.service"] == "rabbitmq"
    flow = flow_from_trace(trace)
    broker = next(n for n in flow.nodes if n.label == "rabbitmq")
    assert broker.component == "rabbitmq"
    assert {e.mode for e in flow.edges if broker.id in (e.source, e.target)} == {"async"}


def test_otlp_spec_example_upper_case_ids_and_orphan() -> None:
    trace = load_trace((FIXTURES / "otlp-spec-trace.json").read_bytes())[0]
    span = trace.spans[0]
    assert trace.trace_id == "5b8efff798038103d269b633813fc60c"
    assert (span.span_id, span.parent_id) == ("eee19b7ec3c1b174", "eee19b7ec3c1b173")
    assert span.kind == "server" and span.duration_ms == 1000.0
    assert span.attributes["otel.scope.name"] == "my.library"
    assert span.attributes["traceplay.start_unix_nano"] == "1544712660000000000"
    assert trace.roots() == [span]
