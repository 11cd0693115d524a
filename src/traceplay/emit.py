"""Push a trace to a real backend over OTLP/HTTP (I/O at the edge).

The trace is written with ``formats.otlp`` and encoded as the protobuf ``ExportTraceServiceRequest``
of ``opentelemetry-proto``, then POSTed to ``ENDPOINT/v1/traces`` — what an OpenTelemetry Collector,
Jaeger (port 4318), Tempo or any OTLP backend receives. Timestamps move so that the trace ends now
(it shows up in the backend's recent searches) and the trace gets a fresh id (pushing the same
scenario twice gives two traces, not one trace with every span twice).

Errors name the URL and say what to check: nothing listening, a timeout, or the collector's own
message for a 4xx/5xx (decoded from its ``google.rpc.Status``, JSON or text answer).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan
from opentelemetry.proto.trace.v1.trace_pb2 import Status as PbStatus

from traceplay.domain.trace import Trace
from traceplay.errors import EmitError, Problem
from traceplay.formats import otlp

PATH = "/v1/traces"
CONTENT_TYPE = "application/x-protobuf"
MAX_MESSAGE = 500


@dataclass(frozen=True)
class EmitResult:
    url: str
    trace_id: str
    spans: int
    bytes: int
    status: int


# --- OTLP JSON document -> protobuf -----------------------------------------------------------


def _any(value: dict[str, Any]) -> AnyValue:
    out = AnyValue()
    if "stringValue" in value:
        out.string_value = value["stringValue"]
    elif "boolValue" in value:
        out.bool_value = value["boolValue"]
    elif "intValue" in value:
        out.int_value = int(value["intValue"])
    elif "doubleValue" in value:
        out.double_value = float(value["doubleValue"])
    elif "arrayValue" in value:
        out.array_value.values.extend(_any(v) for v in value["arrayValue"].get("values", []))
    return out


def _attributes(items: list[dict[str, Any]]) -> list[KeyValue]:
    return [KeyValue(key=kv["key"], value=_any(kv["value"])) for kv in items]


def _span(doc: dict[str, Any]) -> PbSpan:
    span = PbSpan(
        trace_id=bytes.fromhex(doc["traceId"]),
        span_id=bytes.fromhex(doc["spanId"]),
        parent_span_id=bytes.fromhex(doc["parentSpanId"]) if doc.get("parentSpanId") else b"",
        name=doc["name"],
        kind=doc["kind"],
        start_time_unix_nano=int(doc["startTimeUnixNano"]),
        end_time_unix_nano=int(doc["endTimeUnixNano"]),
        attributes=_attributes(doc.get("attributes", [])),
        status=PbStatus(code=doc["status"]["code"], message=doc["status"].get("message", "")),
    )
    for ev in doc.get("events", []):
        span.events.add(
            time_unix_nano=int(ev["timeUnixNano"]), name=ev["name"], attributes=_attributes(ev["attributes"])
        )
    for link in doc.get("links", []):
        span.links.add(
            trace_id=bytes.fromhex(link["traceId"]),
            span_id=bytes.fromhex(link["spanId"]),
            attributes=_attributes(link["attributes"]),
        )
    return span


def to_request(doc: dict[str, Any]) -> ExportTraceServiceRequest:
    """The protobuf request of an OTLP JSON document written by ``formats.otlp.dump``."""
    request = ExportTraceServiceRequest()
    for rs in doc["resourceSpans"]:
        resource_spans = request.resource_spans.add()
        resource_spans.resource.attributes.extend(_attributes(rs["resource"]["attributes"]))
        for ss in rs["scopeSpans"]:
            scope_spans = resource_spans.scope_spans.add()
            scope_spans.scope.name = ss["scope"]["name"]
            scope_spans.scope.version = ss["scope"].get("version", "")
            scope_spans.spans.extend(_span(s) for s in ss["spans"])
    return request


# --- the push -----------------------------------------------------------------------------------


def traces_url(endpoint: str) -> str:
    """``http://host:4318`` -> ``http://host:4318/v1/traces`` (a full ``.../v1/traces`` is kept)."""
    url = endpoint.strip()
    if not url.startswith(("http://", "https://")):
        raise EmitError(
            f"the endpoint must be an http:// or https:// URL, got '{endpoint}'",
            [Problem("for example http://127.0.0.1:4318 (OTLP/HTTP)", "endpoint")],
        )
    url = url.rstrip("/")
    return url if url.endswith(PATH) else url + PATH


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while i < len(data):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            return value, i
        shift += 7
    raise ValueError("truncated varint")


def status_message(data: bytes) -> str | None:
    """The ``message`` (field 2) of a protobuf ``google.rpc.Status``, as OTLP/HTTP servers answer errors."""
    i = 0
    try:
        while i < len(data):
            key, i = _varint(data, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                _, i = _varint(data, i)
            elif wire == 2:
                length, i = _varint(data, i)
                chunk, i = data[i : i + length], i + length
                if field == 2:
                    return chunk.decode("utf-8", "replace")
            elif wire == 5:
                i += 4
            elif wire == 1:
                i += 8
            else:
                return None
    except ValueError:
        return None
    return None


def _error_text(response: httpx.Response) -> str:
    ctype = response.headers.get("content-type", "")
    body = response.content
    message: str | None = None
    if "protobuf" in ctype:
        message = status_message(body)
    elif "json" in ctype:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            inner = data.get("error")
            if isinstance(inner, dict):
                inner = inner.get("message")
            message = str(data.get("message") or inner or "") or None
    if message is None:
        message = body.decode("utf-8", "replace").strip()
    return (message or "no message")[:MAX_MESSAGE]


def emit(
    trace: Trace,
    endpoint: str,
    *,
    timeout_s: float = 10.0,
    headers: dict[str, str] | None = None,
    now_ns: int | None = None,
    keep_trace_id: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> EmitResult:
    """Send ``trace`` to an OTLP/HTTP endpoint, ending now; return what was sent."""
    url = traces_url(endpoint)
    now = now_ns if now_ns is not None else time.time_ns()
    start = now - round(trace.duration_ms * 1_000_000)
    if not keep_trace_id:
        trace = trace.model_copy(update={"trace_id": os.urandom(16).hex()})
    body = to_request(otlp.dump(trace, start_ns=start)).SerializeToString()
    sent_headers = {"Content-Type": CONTENT_TYPE, "User-Agent": "traceplay", **(headers or {})}
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            response = client.post(url, content=body, headers=sent_headers)
    except httpx.ConnectError as exc:
        raise EmitError(
            f"cannot connect to {url}: {_reason(exc)}",
            [
                Problem(
                    "is an OpenTelemetry Collector or Jaeger listening there (OTLP/HTTP, port 4318)?",
                    "endpoint",
                )
            ],
        ) from None
    except httpx.TimeoutException:
        raise EmitError(
            f"{url} did not answer within {timeout_s:g} s",
            [Problem("raise TRACEPLAY_OTLP_TIMEOUT_S or check the collector", "endpoint")],
        ) from None
    except httpx.HTTPError as exc:
        raise EmitError(f"sending to {url} failed: {exc}") from None
    if response.status_code >= 400:
        hint = "check the endpoint and headers" if response.status_code < 500 else "the collector failed"
        raise EmitError(
            f"{url} answered {response.status_code} {response.reason_phrase}: {_error_text(response)}",
            [Problem(hint, "endpoint")],
        )
    _check_partial(response, len(trace.spans))
    return EmitResult(url, trace.trace_id, len(trace.spans), len(body), response.status_code)


def _reason(exc: httpx.ConnectError) -> str:
    text = str(exc)
    return "connection refused" if "refused" in text.lower() or not text else text


def _check_partial(response: httpx.Response, spans: int) -> None:
    """An OTLP 200 may still reject spans (``partial_success``)."""
    if "protobuf" not in response.headers.get("content-type", "") or not response.content:
        return
    answer = ExportTraceServiceResponse()
    try:
        answer.ParseFromString(response.content)
    except Exception:  # an unparsable success body is still a success
        return
    rejected = answer.partial_success.rejected_spans
    if rejected:
        raise EmitError(
            f"the collector rejected {rejected} of {spans} spans: "
            f"{answer.partial_success.error_message or 'no reason given'}"
        )
