"""Zipkin v2 JSON: a list of spans, as ``POST /api/v2/spans`` takes and ``GET /api/v2/trace/{id}`` answers.

A span has ``traceId``, ``id``, ``parentId``, ``kind`` (``CLIENT``/``SERVER``/``PRODUCER``/``CONSUMER``;
none for local work), ``timestamp`` and ``duration`` in microseconds, ``localEndpoint.serviceName``,
string ``tags`` (``error`` holds the error message) and ``annotations``. Zipkin has no links: an async
hand-off is a ``CONSUMER`` span, and traceplay writes its links in a ``traceplay.links`` tag.

Read tolerantly: a list of traces (``/api/v2/traces``), 64-bit trace ids, spans without a timestamp,
and **shared spans** — a client and its server answering under one id (``shared: true``). The server
becomes the client's child under a new id, and the children of that id from the server's service
move under it, as Zipkin's own tree builder does.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceplay.domain.trace import Trace
from traceplay.formats import semconv
from traceplay.formats.ids import BadId, derived_span_id, span_id, trace_id
from traceplay.formats.otlp import DEFAULT_START_NS
from traceplay.formats.raw import (
    DEFAULT_MAX_SPANS,
    Bad,
    Budget,
    RawEvent,
    RawLink,
    RawSpan,
    RawTrace,
    as_dict,
    as_list,
    bad,
    group,
    us_to_ns,
)

NAME = "zipkin"
LINKS_TAG = "traceplay.links"
KIND_BY_NAME = {"CLIENT": "client", "SERVER": "server", "PRODUCER": "producer", "CONSUMER": "consumer"}
NAME_BY_KIND = {v: k for k, v in KIND_BY_NAME.items()}


def detect(doc: Any) -> bool:
    if not isinstance(doc, list) or not doc:
        return False
    first = doc[0]
    if isinstance(first, list):  # /api/v2/traces: a list of traces
        first = first[0] if first else None
    return isinstance(first, dict) and "traceId" in first and "id" in first


# --- reading ------------------------------------------------------------------------------------


def _id(parse: Any, value: Any, field: str) -> str:
    try:
        result: str = parse(value)
    except BadId as exc:
        raise Bad(str(exc), field) from None
    return result


def _links(text: str, loc: str) -> list[RawLink]:
    """``follows_from:SPANID`` or ``child_of:SPANID@TRACEID``, comma-separated."""
    links = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        kind, _, ref = item.partition(":")
        sid, _, tid = ref.partition("@")
        links.append(
            RawLink(
                _id(span_id, sid, loc),
                _id(trace_id, tid, loc) if tid else None,
                "child_of" if kind == "child_of" else "follows_from",
            )
        )
    return links


def _event(annotation: Any, loc: str) -> RawEvent:
    annotation = as_dict(annotation, loc)
    t = us_to_ns(annotation.get("timestamp"), f"{loc}.timestamp")
    value = str(annotation.get("value", ""))
    name, sep, rest = value.partition(" {")
    if sep:  # traceplay writes an event's attributes after its name as JSON
        try:
            attrs = orjson.loads("{" + rest)
        except orjson.JSONDecodeError:
            attrs = None
        if isinstance(attrs, dict):
            return RawEvent(t, name, {k: semconv.clean_value(v) for k, v in attrs.items()})
    return RawEvent(t, value, {})


def _span(span: Any) -> tuple[RawSpan, bool]:
    """(the span, its ``shared`` flag)."""
    if type(span) is not dict:
        raise Bad("a span must be an object")
    tid = _id(trace_id, span.get("traceId"), "traceId")
    sid = _id(span_id, span.get("id"), "id")
    parent = span.get("parentId")
    parent_id = _id(span_id, parent, "parentId") if parent else None
    timestamp = span.get("timestamp")
    start = us_to_ns(timestamp, "timestamp") if timestamp is not None else -1
    duration = us_to_ns(span.get("duration") or 0, "duration")
    if duration < 0:
        raise Bad("must not be negative", "duration")
    kind_name = span.get("kind")
    if kind_name is not None and str(kind_name).upper() not in KIND_BY_NAME:
        raise Bad(f"must be one of {', '.join(KIND_BY_NAME)}, got {kind_name!r:.40}", "kind")
    kind = KIND_BY_NAME[str(kind_name).upper()] if kind_name is not None else "internal"
    local = span.get("localEndpoint") or {}
    remote = span.get("remoteEndpoint") or {}
    if not isinstance(local, dict) or not isinstance(remote, dict):
        raise Bad("must be objects", "localEndpoint" if not isinstance(local, dict) else "remoteEndpoint")
    service = str(local.get("serviceName") or "unknown")
    raw_tags = span.get("tags") or {}
    if not isinstance(raw_tags, dict):
        raise Bad("must be an object of string → string", "tags")
    attrs: dict[str, Any] = {}
    for key, value in raw_tags.items():
        text = value if isinstance(value, str) else semconv.stringify(value)
        attrs[key] = semconv.coerce_text(text) if key.startswith(semconv.PREFIX) else text
    if remote.get("serviceName"):
        attrs.setdefault("peer.service", str(remote["serviceName"]))
    address = remote.get("ipv4") or remote.get("ipv6")
    if address:
        attrs.setdefault("network.peer.address", str(address))
    if isinstance(remote.get("port"), int):
        attrs.setdefault("network.peer.port", remote["port"])
    events = [
        _event(a, f"annotations[{i}]") for i, a in enumerate(as_list(span.get("annotations"), "annotations"))
    ]
    failed = "error" in attrs
    error = (str(attrs.pop("error")) or "error") if failed else None
    link_text = attrs.pop(LINKS_TAG, None)
    if isinstance(link_text, str):
        links = _links(link_text, f"tags.{LINKS_TAG}")
    elif kind == "consumer" and parent_id is not None:
        links = [RawLink(parent_id, None, "follows_from")]  # a consumer did not keep its producer waiting
    else:
        links = []
    name = span.get("name")
    raw = RawSpan(
        trace_id=tid,
        span_id=sid,
        parent_id=parent_id,
        service=service,
        operation=name if isinstance(name, str) else str(name or ""),
        kind=kind,
        start_ns=start,
        duration_ns=duration,
        status="error" if failed else "ok",
        error=error,
        attributes=attrs,
        events=events,
        links=links,
    )
    return raw, span.get("shared") is True


def _unshare(spans: list[RawSpan], shared: list[bool]) -> None:
    """Give each shared server span its own id under its client (see the module docstring)."""
    clients: dict[tuple[str, str], int] = {}
    for i, span in enumerate(spans):
        if not shared[i]:
            clients.setdefault((span.trace_id, span.span_id), i)
    taken = {s.span_id for s in spans}
    servers: dict[tuple[str, str, str], str] = {}  # (trace, shared id, service) -> new id
    counts: dict[str, int] = {}
    for i, span in enumerate(spans):
        key = (span.trace_id, span.span_id)
        if not shared[i] or key not in clients:
            continue
        counts[span.span_id] = counts.get(span.span_id, 0) + 1
        new_id = derived_span_id(span.span_id, counts[span.span_id], taken)
        taken.add(new_id)
        servers.setdefault((span.trace_id, span.span_id, span.service), new_id)
        span.attributes[semconv.ORIGINAL_SPAN_ID] = span.span_id
        span.attributes[semconv.SHARED] = True
        span.parent_id = span.span_id
        span.span_id = new_id
    if not servers:
        return
    for i, span in enumerate(spans):
        if shared[i] or span.parent_id is None:
            continue
        old = span.parent_id
        moved = servers.get((span.trace_id, old, span.service))
        if moved is not None:
            span.parent_id = moved
            for link in span.links:
                if link.trace_id is None and link.span_id == old:
                    link.span_id = moved


def _fill_timestamps(spans: list[RawSpan]) -> None:
    """A span without a timestamp (reported late) starts with its parent, else with the trace."""
    missing = [s for s in spans if s.start_ns < 0]
    if not missing:
        return
    known = [s.start_ns for s in spans if s.start_ns >= 0]
    by_id = {s.span_id: s for s in spans}
    for s in missing:
        parent = by_id.get(s.parent_id) if s.parent_id else None
        s.start_ns = parent.start_ns if parent is not None and parent.start_ns >= 0 else min(known, default=0)
        for e in s.events:
            e.time_ns = max(e.time_ns, s.start_ns)


def read(doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS, budget: Budget | None = None) -> list[RawTrace]:
    """The raw traces of a Zipkin v2 span list (or list of traces)."""
    budget = budget or Budget(max_spans)
    if type(doc) is not list:
        raise bad("a Zipkin v2 document must be a list of spans", "")
    nested = bool(doc) and isinstance(doc[0], list)
    spans: list[RawSpan] = []
    shared: list[bool] = []
    for t, item in enumerate(doc):
        if nested and type(item) is not list:
            raise bad("must be a list of spans (a trace)", f"[{t}]")
        batch = item if nested else [item]
        budget.take(len(batch))
        for k, sp in enumerate(batch):
            try:
                raw, is_shared = _span(sp)
            except Bad as exc:
                raise exc.at(f"[{t}][{k}]" if nested else f"[{t}]") from None
            spans.append(raw)
            shared.append(is_shared)
    _unshare(spans, shared)
    traces = group(spans)
    for one in traces:
        _fill_timestamps(one.spans)
    return traces


# --- writing ------------------------------------------------------------------------------------


def _ns(ms: float) -> int:
    return round(ms * 1_000_000)


def dump(trace: Trace, *, start_ns: int | None = None) -> list[dict[str, Any]]:
    """A Zipkin v2 span list."""
    # microseconds truncated from nanoseconds, as Jaeger's and Zipkin's own translators do
    base = start_ns if start_ns is not None else semconv.start_unix_nano(trace, DEFAULT_START_NS)
    by_id = trace.by_id()
    out = []
    for i, span in enumerate(trace.spans):
        attrs = semconv.export_attributes(span, trace, entry=i == 0)
        span_id_out, parent_out, shared = span.span_id, span.parent_id, False
        original = attrs.get(semconv.ORIGINAL_SPAN_ID)
        if attrs.get(semconv.SHARED) is True and original == span.parent_id and original in by_id:
            # written back as Zipkin had it: the server under its client's id
            span_id_out, shared = str(original), True
            parent_out = by_id[str(original)].parent_id
            attrs.pop(semconv.ORIGINAL_SPAN_ID)
            attrs.pop(semconv.SHARED)
        doc: dict[str, Any] = {"traceId": trace.trace_id, "id": span_id_out}
        if parent_out is not None:
            doc["parentId"] = parent_out
        if span.kind != "internal":
            doc["kind"] = NAME_BY_KIND[span.kind]
        doc["name"] = span.operation
        doc["timestamp"] = (base + _ns(span.start_ms)) // 1000
        start = base + _ns(span.start_ms)
        duration = (start + _ns(span.duration_ms)) // 1000 - start // 1000
        if duration > 0:
            doc["duration"] = duration
        doc["localEndpoint"] = {"serviceName": span.service}
        remote: dict[str, Any] = {}
        if isinstance(attrs.get("peer.service"), str):
            remote["serviceName"] = attrs["peer.service"]
        address = attrs.get("network.peer.address")
        if isinstance(address, str):
            remote["ipv6" if ":" in address else "ipv4"] = address
        if isinstance(attrs.get("network.peer.port"), int):
            remote["port"] = attrs["network.peer.port"]
        if remote:
            doc["remoteEndpoint"] = remote
        if span.events:
            doc["annotations"] = [
                {
                    "timestamp": (base + _ns(e.time_ms)) // 1000,
                    "value": e.name + (" " + orjson.dumps(e.attributes).decode() if e.attributes else ""),
                }
                for e in span.events
            ]
        tags = {k: semconv.stringify(v) for k, v in attrs.items()}
        if span.links:
            tags[LINKS_TAG] = ",".join(
                f"{link.type}:{link.span_id}" + (f"@{link.trace_id}" if link.trace_id else "")
                for link in span.links
            )
        if span.status == "error":
            tags["error"] = span.error or "error"
        if tags:
            doc["tags"] = tags
        if shared:
            doc["shared"] = True
        out.append(doc)
    return out
