"""Attribute names: traceplay's own (``traceplay.*``) and the OpenTelemetry semantic conventions the
exporters add where one fits.

Export writes a span's model fields that no format has a place for (component, node id, edge id; on
the entry root also flow, variant, faults and seed) as ``traceplay.*`` attributes, and import reads
them back into the fields — so a trace survives a round trip through any format.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from traceplay.domain.trace import Span, Trace

PREFIX = "traceplay."
COMPONENT = "traceplay.component"
NODE_ID = "traceplay.node_id"
EDGE_ID = "traceplay.edge_id"
FLOW = "traceplay.flow"
VARIANT = "traceplay.variant"
FAULTS = "traceplay.faults"
SEED = "traceplay.seed"
START_UNIX_NANO = "traceplay.start_unix_nano"  # the absolute start of an imported trace, decimal ns
ORIGINAL_SPAN_ID = "traceplay.original_span_id"  # a duplicated span id, renamed on import
CLOCK_SKEW_MS = "traceplay.clock_skew_ms"  # how far import moved a span that started before its parent
SHARED = "traceplay.shared"  # a Zipkin server span that shared its client's id
LINK_TYPE = "opentracing.ref_type"  # on OTLP links: child_of | follows_from (as Jaeger's translator)
SCOPE_NAME = "otel.scope.name"
SCOPE_VERSION = "otel.scope.version"
SCOPE = "traceplay"  # the instrumentation scope traceplay's exports carry

# model fields carried as attributes, taken back out on import
SPAN_FIELDS = (COMPONENT, NODE_ID, EDGE_ID)
TRACE_FIELDS = (FLOW, VARIANT, FAULTS, SEED, START_UNIX_NANO)

# attributes that describe the process, not the call: OTLP resource attributes, Jaeger process tags
RESOURCE_PREFIXES = (
    "service.",
    "telemetry.",
    "host.",
    "os.",
    "process.",
    "container.",
    "k8s.",
    "cloud.",
    "deployment.",
    "device.",
    "webengine.",
)

HTTP_OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)")
SERVICE_NAME = "service.name"


_resource_keys: dict[str, bool] = {}  # attribute keys repeat on every span: decide each once


def is_resource_key(key: str) -> bool:
    known = _resource_keys.get(key)
    if known is None:
        known = key.startswith(RESOURCE_PREFIXES)
        if len(_resource_keys) < 10_000:
            _resource_keys[key] = known
    return known


def split_resource(attributes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(resource attributes, span attributes)."""
    resource: dict[str, Any] = {}
    span: dict[str, Any] = {}
    for key, value in attributes.items():
        if is_resource_key(key):
            resource[key] = value
        else:
            span[key] = value
    return resource, span


def _error_type(error: str | None) -> tuple[str, int | None]:
    """The semantic-convention ``error.type`` and HTTP status an error message implies."""
    text = (error or "").lower()
    if "timed out" in text or "no response" in text or "timeout" in text:
        return "timeout", 504
    if "refused" in text or "unreachable" in text:
        return "connection_refused", None
    return "_OTHER", 500


def semantic_attributes(span: Span) -> dict[str, Any]:
    """Standard attributes that fit a simulated span and that it does not carry yet."""
    attrs = span.attributes
    out: dict[str, Any] = {}
    db = attrs.get("db.system.name")
    if db is not None and "db.system" not in attrs:
        out["db.system"] = db  # the pre-1.26 name most backends still key their icons on
    if "messaging.system" in attrs and span.kind in ("producer", "consumer"):
        out.setdefault("messaging.operation.type", "send" if span.kind == "producer" else "process")
    match = HTTP_OPERATION.match(span.operation)
    error_type, http_status = _error_type(span.error)
    if match and span.kind in ("server", "client") and "http.response.status_code" not in attrs:
        out["http.request.method"] = attrs.get("http.request.method", match.group(1))
        out["http.route" if span.kind == "server" else "url.path"] = match.group(2)
        status = 200 if span.status == "ok" else http_status
        if status is not None:
            out["http.response.status_code"] = status
    if span.status == "error" and "error.type" not in attrs:
        out["error.type"] = error_type if error_type != "_OTHER" or not match else str(http_status)
    return {k: v for k, v in out.items() if k not in attrs}


def export_attributes(span: Span, trace: Trace | None = None, *, entry: bool = False) -> dict[str, Any]:
    """Everything a format should write for a span: its attributes, the semantic conventions that fit,
    and the model fields as ``traceplay.*``. ``entry``: the first span also carries the trace's fields."""
    out = {k: v for k, v in span.attributes.items() if k != START_UNIX_NANO and v is not None}
    out.update(semantic_attributes(span))
    if span.component is not None:
        out[COMPONENT] = span.component
    if span.node_id is not None:
        out[NODE_ID] = span.node_id
    if span.edge_id is not None:
        out[EDGE_ID] = span.edge_id
    if entry and trace is not None:
        if trace.flow is not None:
            out[FLOW] = trace.flow
        if trace.variant is not None:
            out[VARIANT] = trace.variant
        if trace.faults:
            out[FAULTS] = orjson.dumps(trace.faults).decode()
        if trace.seed is not None:
            out[SEED] = trace.seed
    return out


def start_unix_nano(trace: Trace, default: int) -> int:
    """The absolute start of a trace: the one an import recorded, else ``default``."""
    if trace.spans:
        value = trace.spans[0].attributes.get(START_UNIX_NANO)
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return default


def clean_value(value: Any) -> Any:
    """An attribute value in the model's shape: a scalar, or a list of scalars of one type."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        items = [v for v in value if v is not None]
        if all(isinstance(v, (str, bool, int, float)) for v in items):
            kinds = {type(v) for v in items}
            if len(kinds) <= 1:
                return items
            if kinds <= {int, float}:
                return [float(v) for v in items]
        return [v if isinstance(v, str) else orjson.dumps(v).decode() for v in items]
    return orjson.dumps(value, default=str).decode()


def coerce_text(value: str) -> Any:
    """A ``traceplay.*`` value read back from a format that only has strings (Zipkin tags)."""
    if value in ("true", "false"):
        return value == "true"
    if value.isdigit() or (value[:1] == "-" and value[1:].isdigit()):
        return int(value)
    return value


def stringify(value: Any) -> str:
    """An attribute value as text, for formats whose tags are strings (Zipkin) or untyped lists."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return orjson.dumps(value).decode()
