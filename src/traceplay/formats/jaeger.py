"""Jaeger UI JSON: what Jaeger's query API answers and its "JSON file" upload accepts.

Written as the envelope ``{"data": [trace], "total", "limit", "offset", "errors"}``; a trace has
``traceID``, ``spans`` and ``processes`` (one per service: ``serviceName`` and process tags); a span
has ``references`` (``CHILD_OF`` its parent, ``FOLLOWS_FROM`` when the parent did not wait),
``startTime`` and ``duration`` in microseconds, typed ``tags`` (``string``, ``bool``, ``int64``,
``float64``) and ``logs``. Kind and status are tags, as Jaeger's OTLP translator writes them:
``span.kind``, ``otel.status_code``, ``otel.status_description`` and ``error=true``.

Read: the envelope with any number of traces, a single trace object, a span's embedded ``process``
(Jaeger UI's own exports), ``int64`` tags written as strings, ``binary`` tags, span and trace
``warnings``, references into other traces (kept as links). The parent is the first ``CHILD_OF``
reference in the same trace, else the first ``FOLLOWS_FROM`` one.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceplay.domain.trace import Trace
from traceplay.formats import semconv
from traceplay.formats.ids import BadId, span_id, trace_id
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
    as_int,
    as_list,
    as_number,
    bad,
    group,
    us_to_ns,
)

NAME = "jaeger"
KINDS = {"server", "client", "producer", "consumer", "internal"}
CONSUMED_TAGS = ("span.kind", "error", "otel.status_code", "otel.status_description")
INT64 = (-(2**63), 2**63 - 1)


def detect(doc: Any) -> bool:
    if isinstance(doc, dict):
        data = doc.get("data")
        if isinstance(data, list):
            return all(isinstance(t, dict) and "spans" in t for t in data[:3])
        return "traceID" in doc and isinstance(doc.get("spans"), list)
    return False


# --- reading ------------------------------------------------------------------------------------


def _tag_value(kind: Any, value: Any, field: str) -> Any:
    kind = str(kind).lower()
    if kind == "bool":
        return value.lower() == "true" if isinstance(value, str) else bool(value)
    if kind == "int64":
        number = as_int(value, field)
        return number if INT64[0] <= number <= INT64[1] else str(number)
    if kind == "float64":
        return as_number(value, field)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value  # binary (base64 text) and anything else scalar
    return semconv.clean_value(value)


def tags(items: Any, field: str = "tags") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not items:
        return out
    if type(items) is not list:
        raise Bad("must be a list of {key, type, value}", field)
    for tag in items:
        try:
            key = tag["key"]
            kind = tag.get("type", "string")
            value = tag.get("value")
        except (TypeError, KeyError):
            key = kind = value = None
        if type(key) is not str:
            raise Bad("a tag must be an object with a string 'key'", f"{field}[{items.index(tag)}]")
        vtype = type(value)
        if (
            (kind == "string" and vtype is str)
            or (kind == "int64" and vtype is int)
            or (kind == "bool" and vtype is bool)
            or (kind == "float64" and vtype is float)
        ):  # the common cases, inline
            out[key] = value
        else:
            out[key] = _tag_value(kind, value, f"{field}[{items.index(tag)}].value")
    return out


def _processes(trace: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    procs = trace.get("processes") or {}
    if not isinstance(procs, dict):
        raise Bad("must be an object of processID → process", "processes")
    for pid, proc in procs.items():
        proc = as_dict(proc, f"processes.{pid}")
        out[pid] = (
            str(proc.get("serviceName") or "unknown_service"),
            tags(proc.get("tags"), f"processes.{pid}.tags"),
        )
    return out


def _id(parse: Any, value: Any, field: str) -> str:
    try:
        result: str = parse(value)
    except BadId as exc:
        raise Bad(str(exc), field) from None
    return result


def _error_message(attrs: dict[str, Any], events: list[RawEvent]) -> str | None:
    for key in ("otel.status_description", "error.message", "exception.message"):
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    for event in events:
        for key in ("exception.message", "message", "error.object", "error.message"):
            value = event.attributes.get(key)
            if (
                isinstance(value, str)
                and value
                and (event.name in ("error", "exception") or key != "message")
            ):
                return value
    return None


def _references(span: dict[str, Any], tid: str) -> tuple[str | None, list[RawLink]]:
    """(parent id, links): the parent is the first CHILD_OF in this trace, else the first FOLLOWS_FROM."""
    refs = span.get("references")
    if type(refs) is list and len(refs) == 1:  # the common case: one CHILD_OF into this trace
        ref = refs[0]
        if type(ref) is dict and ref.get("refType") == "CHILD_OF" and ref.get("traceID") in (tid, None):
            return _id(span_id, ref.get("spanID"), "references[0].spanID"), []
    parsed = []
    for i, ref in enumerate(as_list(span.get("references"), "references")):
        field = f"references[{i}]"
        ref = as_dict(ref, field)
        rtype = str(ref.get("refType", "CHILD_OF")).upper()
        if rtype not in ("CHILD_OF", "FOLLOWS_FROM"):
            raise Bad(f"must be CHILD_OF or FOLLOWS_FROM, got {rtype!r:.40}", f"{field}.refType")
        rtid = _id(trace_id, ref.get("traceID") or tid, f"{field}.traceID")
        parsed.append((rtype, rtid, _id(span_id, ref.get("spanID"), f"{field}.spanID")))
    parent_id: str | None = None
    parent_ref = -1
    for wanted in ("CHILD_OF", "FOLLOWS_FROM"):
        parent_ref = next((i for i, r in enumerate(parsed) if r[0] == wanted and r[1] == tid), -1)
        if parent_ref >= 0:
            parent_id = parsed[parent_ref][2]
            break
    if parent_id is None and span.get("parentSpanID"):
        parent_id = _id(span_id, span["parentSpanID"], "parentSpanID")
    links = [
        RawLink(rsid, rtid, rtype.lower())
        for i, (rtype, rtid, rsid) in enumerate(parsed)
        if i != parent_ref or rtype == "FOLLOWS_FROM"
    ]
    if parent_id == "0000000000000000":
        parent_id = None
    return parent_id, links


def _span(span: Any, trace_tid: Any, procs: dict[str, tuple[str, dict[str, Any]]]) -> RawSpan:
    if type(span) is not dict:
        raise Bad("a span must be an object")
    tid = _id(trace_id, span.get("traceID") or trace_tid, "traceID")
    sid = _id(span_id, span.get("spanID"), "spanID")
    if "startTime" not in span:
        raise Bad("a span needs startTime (microseconds)", "startTime")
    start = us_to_ns(span["startTime"], "startTime")
    duration = us_to_ns(span.get("duration", 0), "duration")
    if duration < 0:
        raise Bad("must not be negative", "duration")
    pid = span.get("processID")
    proc_doc = span.get("process")
    if isinstance(pid, str) and pid in procs:  # any JSON may stand there: a list is no key
        service, proc_tags = procs[pid]
    elif type(proc_doc) is dict:
        service = str(proc_doc.get("serviceName") or "unknown_service")
        proc_tags = tags(proc_doc.get("tags"), "process.tags")
    else:
        raise Bad(f"processID {pid!r:.40} is not in the trace's processes", "processID")
    attrs = dict(proc_tags) if proc_tags else {}
    attrs.update(tags(span.get("tags")))
    events = []
    raw_logs = span.get("logs")
    if raw_logs:
        for i, log in enumerate(as_list(raw_logs, "logs")):
            try:
                log = as_dict(log, "")
                fields = tags(log.get("fields"), "fields")
                name = fields.pop("event", None)
                t = us_to_ns(log.get("timestamp", start // 1000), "timestamp")
            except Bad as exc:
                raise exc.inside(f"logs[{i}]") from None
            events.append(RawEvent(t, str(name) if name is not None else "log", fields))
    parent_id, links = _references(span, tid)
    kind = attrs.get("span.kind", "internal")
    if not isinstance(kind, str) or kind not in KINDS:
        kind = str(kind).lower()
        kind = kind if kind in KINDS else "internal"
    error_tag = attrs.get("error")
    failed = error_tag is True or error_tag == "true" or attrs.get("otel.status_code") == "ERROR"
    error = _error_message(attrs, events) if failed else None
    for key in CONSUMED_TAGS:
        attrs.pop(key, None)
    warnings = span.get("warnings")
    if isinstance(warnings, list) and warnings:
        attrs["jaeger.warnings"] = [str(w) for w in warnings]
    name = span.get("operationName")
    return RawSpan(
        trace_id=tid,
        span_id=sid,
        parent_id=parent_id,
        service=service,
        operation=name if type(name) is str else str(name or ""),
        kind=kind,
        start_ns=start,
        duration_ns=duration,
        status="error" if failed else "ok",
        error=error,
        attributes=attrs,
        events=events,
        links=links,
    )


def read(doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS, budget: Budget | None = None) -> list[RawTrace]:
    """The raw traces of a Jaeger JSON document (an envelope or one trace)."""
    budget = budget or Budget(max_spans)
    if type(doc) is not dict:
        raise bad("a Jaeger document must be an object", "")
    if "data" in doc:
        traces = doc["data"]
        if type(traces) is not list:
            raise bad("must be a list of traces", "data")
        prefix = "data"
        if not traces and doc.get("errors"):
            raise bad(
                f"the document holds no trace, only errors: {orjson.dumps(doc['errors'])[:300]!r}", "errors"
            )
    else:
        traces, prefix = [doc], ""
    out: list[RawSpan] = []
    for t, trace in enumerate(traces):
        tloc = f"{prefix}[{t}]" if prefix else ""
        try:
            trace = as_dict(trace, "")
            procs = _processes(trace)
            spans = as_list(trace.get("spans"), "spans")
        except Bad as exc:
            raise exc.at(tloc) from None
        trace_tid = trace.get("traceID")
        budget.take(len(spans))
        sloc = f"{tloc}.spans" if tloc else "spans"
        for i, sp in enumerate(spans):
            try:
                out.append(_span(sp, trace_tid, procs))
            except Bad as exc:
                raise exc.at(f"{sloc}[{i}]") from None
    return group(out)


# --- writing ------------------------------------------------------------------------------------


def to_tag(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "type": "bool", "value": value}
    if isinstance(value, int):
        return {"key": key, "type": "int64", "value": value}
    if isinstance(value, float):
        return {"key": key, "type": "float64", "value": value}
    return {"key": key, "type": "string", "value": semconv.stringify(value)}


def _ns(ms: float) -> int:
    return round(ms * 1_000_000)


def dump(trace: Trace, *, start_ns: int | None = None) -> dict[str, Any]:
    """A Jaeger UI JSON envelope holding the trace."""
    # microseconds truncated from nanoseconds, as Jaeger's and Zipkin's own translators do
    base = start_ns if start_ns is not None else semconv.start_unix_nano(trace, DEFAULT_START_NS)
    processes: dict[bytes, tuple[str, dict[str, Any]]] = {}
    spans = []
    for i, span in enumerate(trace.spans):
        attrs = semconv.export_attributes(span, trace, entry=i == 0)
        resource, attrs = semconv.split_resource(attrs)
        resource.pop(semconv.SERVICE_NAME, None)
        key = orjson.dumps([span.service, resource])
        if key not in processes:
            processes[key] = (f"p{len(processes) + 1}", {"serviceName": span.service, "tags": resource})
        refs = []
        follows = {
            link.span_id for link in span.links if link.type == "follows_from" and link.trace_id is None
        }
        if span.parent_id is not None:
            parent_type = "FOLLOWS_FROM" if span.parent_id in follows else "CHILD_OF"
            refs.append({"refType": parent_type, "traceID": trace.trace_id, "spanID": span.parent_id})
        for link in span.links:
            if link.trace_id is None and link.span_id == span.parent_id and link.type == "follows_from":
                continue  # already the parent reference
            refs.append(
                {
                    "refType": link.type.upper(),
                    "traceID": link.trace_id or trace.trace_id,
                    "spanID": link.span_id,
                }
            )
        tags = [to_tag(k, v) for k, v in attrs.items()]
        tags.append(to_tag("span.kind", span.kind))
        if span.status == "error":
            tags.append(to_tag("otel.status_code", "ERROR"))
            tags.append(to_tag("error", True))
            if span.error:
                tags.append(to_tag("otel.status_description", span.error))
        else:
            tags.append(to_tag("otel.status_code", "OK"))
        logs = [
            {
                "timestamp": (base + _ns(e.time_ms)) // 1000,
                "fields": [to_tag("event", e.name)] + [to_tag(k, v) for k, v in e.attributes.items()],
            }
            for e in span.events
        ]
        start = base + _ns(span.start_ms)
        start_us, end_us = start // 1000, (start + _ns(span.duration_ms)) // 1000
        spans.append(
            {
                "traceID": trace.trace_id,
                "spanID": span.span_id,
                "operationName": span.operation,
                "references": refs,
                "startTime": start_us,
                "duration": end_us - start_us,
                "tags": tags,
                "logs": logs,
                "processID": processes[key][0],
                "warnings": None,
                "flags": 1,
            }
        )
    process_docs = {
        pid: {"serviceName": proc["serviceName"], "tags": [to_tag(k, v) for k, v in proc["tags"].items()]}
        for pid, proc in processes.values()
    }
    return {
        "data": [{"traceID": trace.trace_id, "spans": spans, "processes": process_docs, "warnings": None}],
        "total": 0,
        "limit": 0,
        "offset": 0,
        "errors": None,
    }
