"""``emit`` against a real OTLP/HTTP receiver on loopback that decodes the protobuf
``ExportTraceServiceRequest`` — including the receiver's 4xx/5xx answers, a dead port and a timeout."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from traceplay.domain.simulate import simulate
from traceplay.emit import EmitError, emit, status_message, to_request, traces_url
from traceplay.formats import dump_trace
from traceplay.templates import get_template


@dataclass
class Receiver:
    """What the fake collector answers, and what it received."""

    status: int = 200
    content_type: str = "application/x-protobuf"
    body: bytes = b""
    delay_s: float = 0.0
    requests: list[tuple[str, dict[str, str], ExportTraceServiceRequest]] = field(default_factory=list)
    url: str = ""


def _status_pb(code: int, message: str) -> bytes:
    """A google.rpc.Status (code = field 1 varint, message = field 2 string), encoded by hand."""
    text = message.encode()
    return bytes([0x08, code, 0x12, len(text)]) + text


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers["Content-Length"]))
            request = ExportTraceServiceRequest()
            request.ParseFromString(data)
            state.requests.append((self.path, dict(self.headers), request))
            time.sleep(state.delay_s)
            body = state.body or ExportTraceServiceResponse().SerializeToString()
            self.send_response(state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_receiver_gets_every_span_ending_now_under_a_fresh_id(receiver: Receiver) -> None:
    trace = simulate(get_template("redis-cache"), "error")
    now = 1_800_000_000_000_000_000
    result = emit(trace, receiver.url, now_ns=now, headers={"X-Token": "t"})
    ((path, headers, request),) = receiver.requests
    assert path == "/v1/traces" and headers["Content-Type"] == "application/x-protobuf"
    assert headers["X-Token"] == "t"
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert len(spans) == len(trace.spans) == result.spans
    assert {s.trace_id.hex() for s in spans} == {result.trace_id} != {trace.trace_id}
    assert {s.span_id.hex() for s in spans} == {s.span_id for s in trace.spans}
    assert max(s.end_time_unix_nano for s in spans) == now
    assert min(s.start_time_unix_nano for s in spans) == now - round(trace.duration_ms * 1e6)
    services = {
        kv.value.string_value
        for rs in request.resource_spans
        for kv in rs.resource.attributes
        if kv.key == "service.name"
    }
    assert services == {s.service for s in trace.spans}
    failed = [s for s in spans if s.status.code == 2]
    assert failed and failed[0].status.message.startswith("ECONNREFUSED")
    assert result.url == receiver.url + "/v1/traces" and result.status == 200


def test_the_protobuf_matches_the_otlp_json_export() -> None:
    trace = simulate(get_template("kafka-fanout"), "success")
    doc = dump_trace(trace, "otlp")
    request = to_request(doc)
    json_spans = {
        s["spanId"]: s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]
    }
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            assert ss.scope.name == "traceplay"
            for span in ss.spans:
                ref = json_spans[span.span_id.hex()]
                assert span.parent_span_id.hex() == ref["parentSpanId"]
                assert (span.kind, span.name) == (ref["kind"], ref["name"])
                assert str(span.start_time_unix_nano) == ref["startTimeUnixNano"]
                assert [link.span_id.hex() for link in span.links] == [
                    k["spanId"] for k in ref.get("links", [])
                ]
                assert len(span.attributes) == len(ref["attributes"])


def test_a_4xx_answer_is_reported_with_the_collectors_message(receiver: Receiver) -> None:
    receiver.status, receiver.body = 400, _status_pb(3, "invalid span: trace_id is empty")
    with pytest.raises(EmitError) as info:
        emit(simulate(get_template("simple"), "success"), receiver.url)
    assert "answered 400 Bad Request: invalid span: trace_id is empty" in info.value.message
    assert info.value.code == "emit_failed"


def test_a_5xx_json_or_text_answer_is_reported(receiver: Receiver) -> None:
    trace = simulate(get_template("simple"), "success")
    receiver.status, receiver.content_type = 503, "application/json"
    receiver.body = orjson.dumps({"code": 14, "message": "exporter queue is full"})
    with pytest.raises(EmitError, match="answered 503 Service Unavailable: exporter queue is full"):
        emit(trace, receiver.url)
    receiver.status, receiver.content_type, receiver.body = 500, "text/plain", b"boom\n"
    with pytest.raises(EmitError, match="answered 500 Internal Server Error: boom"):
        emit(trace, receiver.url + "/v1/traces")


def test_partial_success_rejecting_spans_is_an_error(receiver: Receiver) -> None:
    answer = ExportTraceServiceResponse()
    answer.partial_success.rejected_spans = 2
    answer.partial_success.error_message = "spans too old"
    receiver.body = answer.SerializeToString()
    with pytest.raises(EmitError, match=r"rejected 2 of \d+ spans: spans too old"):
        emit(simulate(get_template("simple"), "success"), receiver.url)


def test_connection_refused_and_timeout() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    trace = simulate(get_template("simple"), "success")
    with pytest.raises(EmitError, match=re.escape(f"cannot connect to http://127.0.0.1:{port}/v1/traces")):
        emit(trace, f"http://127.0.0.1:{port}")


def test_a_slow_collector_times_out(receiver: Receiver) -> None:
    receiver.delay_s = 0.5
    with pytest.raises(EmitError, match=r"did not answer within 0\.1 s"):
        emit(simulate(get_template("simple"), "success"), receiver.url, timeout_s=0.1)


def test_endpoint_urls() -> None:
    assert traces_url("http://h:4318") == "http://h:4318/v1/traces"
    assert traces_url("https://h/otlp/") == "https://h/otlp/v1/traces"
    assert traces_url("http://h:4318/v1/traces") == "http://h:4318/v1/traces"
    with pytest.raises(EmitError, match="http:// or https://"):
        traces_url("h:4318")


def test_status_message_decoding() -> None:
    assert status_message(_status_pb(3, "bad")) == "bad"
    assert status_message(b"\xff") is None
    assert status_message(b"") is None
