"""OTLP JSON: the OpenTelemetry protocol's JSON mapping (``TracesData`` / ``ExportTraceServiceRequest``).

Written as the spec asks: ``resourceSpans`` → ``scopeSpans`` → ``spans``; trace and span ids as hex
(never base64), times as decimal strings of Unix nanoseconds, enums (``kind``, ``status.code``) as
integers, links with ``opentracing.ref_type``. The service is the resource's ``service.name``;
process-level attributes (``host.*``, ``cloud.*``, ``telemetry.*`` ...) go to the resource.

Read tolerantly: upper-case hex, base64 ids (protobuf ``json_format`` output, e.g. Grafana Tempo's
``batches``), enum names (``SPAN_KIND_SERVER``), ints as numbers or strings, the pre-1.0 names
``instrumentationLibrarySpans`` / ``instrumentationLibrary``, Jaeger's API v3 ``{"result": ...}``
wrapper. Ids are parsed here: protobuf's ``json_format`` would read hex ids as base64 without a word.
"""

from __future__ import annotations

from typing import Any

import orjson

from traceplay import __version__
from traceplay.domain.trace import Span, Trace
from traceplay.formats import semconv
from traceplay.formats.ids import BadId, span_id, trace_id
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
    bad,
    group,
)

NAME = "otlp"
DEFAULT_START_NS = 1_735_689_600_000_000_000  # 2025-01-01T00:00:00Z: simulated traces get a fixed date

KIND_NUMBER = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
KIND_BY_NUMBER = {0: "internal", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
KIND_BY_NAME = (
    {f"SPAN_KIND_{k.upper()}": k for k in KIND_NUMBER}
    | {k: k for k in KIND_NUMBER}
    | {k.upper(): k for k in KIND_NUMBER}
    | {"SPAN_KIND_UNSPECIFIED": "internal"}
)
STATUS_OK, STATUS_ERROR = 1, 2
STATUS_BY_NAME = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}


def _container(doc: dict[str, Any]) -> tuple[list[Any], str]:
    for key in ("resourceSpans", "batches"):
        if key in doc:
            return _checked(as_list, doc[key], key), key
    result = doc.get("result")
    if isinstance(result, dict) and "resourceSpans" in result:
        return _checked(as_list, result["resourceSpans"], "result.resourceSpans"), "result.resourceSpans"
    raise bad("an OTLP document needs 'resourceSpans'", "")


def _checked(check: Any, value: Any, loc: str) -> Any:
    try:
        return check(value, "")
    except Bad as exc:
        raise exc.at(loc) from None


def detect(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "resourceSpans" in doc or isinstance(doc.get("batches"), list):
        return True
    result = doc.get("result")
    return isinstance(result, dict) and isinstance(result.get("resourceSpans"), list)


# --- reading ------------------------------------------------------------------------------------


def any_value(value: Any, field: str = "value") -> Any:
    """An OTLP ``AnyValue`` as a plain value."""
    if type(value) is not dict:
        raise Bad(
            f"an attribute value must be an object like {{'stringValue': ...}}, got {value!r:.60}", field
        )
    v = value.get("stringValue")
    if v is not None:
        return v if type(v) is str else str(v)
    if "intValue" in value:
        return as_int(value["intValue"], f"{field}.intValue")
    if "boolValue" in value:
        v = value["boolValue"]
        if not isinstance(v, bool):
            raise Bad(f"must be true or false, got {v!r:.60}", f"{field}.boolValue")
        return v
    if "doubleValue" in value:
        v = value["doubleValue"]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, str):
            try:
                return float(v)  # the JSON mapping writes "NaN" and "Infinity" as strings
            except ValueError:
                pass
        raise Bad(f"must be a number, got {v!r:.60}", f"{field}.doubleValue")
    if "arrayValue" in value:
        items = as_list(
            as_dict(value["arrayValue"] or {}, f"{field}.arrayValue").get("values"), f"{field}.arrayValue"
        )
        return semconv.clean_value(
            [any_value(v, f"{field}.arrayValue.values[{i}]") for i, v in enumerate(items)]
        )
    if "kvlistValue" in value:
        kv = as_dict(value["kvlistValue"] or {}, f"{field}.kvlistValue").get("values")
        return semconv.clean_value(attributes(kv, f"{field}.kvlistValue.values"))
    if "bytesValue" in value:
        return str(value["bytesValue"])  # base64, as the JSON mapping writes bytes
    if "stringValue" in value:
        return ""  # {"stringValue": null}
    return None  # an empty AnyValue


def attributes(items: Any, field: str = "attributes") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not items:
        return out
    if type(items) is not list:
        raise Bad("must be a list of {key, value}", field)
    for item in items:
        try:
            key = item["key"]
            value = item.get("value")
        except (TypeError, KeyError):
            key = value = None
        if type(key) is not str:
            i = items.index(item)
            raise Bad("an attribute must be an object with a string 'key'", f"{field}[{i}]")
        if type(value) is dict:  # the common cases, inline
            v = value.get("stringValue")
            if type(v) is str:
                out[key] = v
                continue
            v = value.get("intValue")
            if type(v) is str and v.isdigit():
                out[key] = int(v)
                continue
            v = value.get("boolValue")
            if type(v) is bool:
                out[key] = v
                continue
            v = value.get("doubleValue")
            if type(v) is float:
                out[key] = v
                continue
            v = value.get("arrayValue")
            if type(v) is dict:  # a list of strings, as most array attributes are
                vals = v.get("values")
                if type(vals) is list:
                    strings = [x.get("stringValue") if type(x) is dict else None for x in vals]
                    if all(type(x) is str for x in strings):
                        out[key] = strings
                        continue
        try:
            out[key] = any_value(value if value is not None else {}, "value")
        except Bad as exc:
            raise exc.inside(f"{field}[{items.index(item)}]") from None
    return out


def _enum(value: Any, by_name: dict[str, Any], by_number: dict[int, Any], field: str, what: str) -> Any:
    if type(value) is int and value in by_number:
        return by_number[value]
    if isinstance(value, str):
        if value in by_name:
            return by_name[value]
        if value.isdigit() and int(value) in by_number:
            return by_number[int(value)]
    choices = ", ".join([*map(str, by_number), *by_name])
    raise Bad(f"unknown {what} {value!r:.40} (expected one of {choices})", field)


def _id(parse: Any, value: Any, field: str) -> str:
    try:
        result: str = parse(value)
    except BadId as exc:
        raise Bad(str(exc), field) from None
    return result


def _span(span: Any, service: str, base_attrs: dict[str, Any]) -> RawSpan:
    if type(span) is not dict:
        raise Bad("a span must be an object")
    tid = _id(trace_id, span.get("traceId"), "traceId")
    sid = _id(span_id, span.get("spanId"), "spanId")
    parent = span.get("parentSpanId")
    parent_id = _id(span_id, parent, "parentSpanId") if parent else None
    if parent_id is not None and parent_id == "0000000000000000":
        parent_id = None  # an all-zero parent is "no parent"
    if "startTimeUnixNano" not in span:
        raise Bad("a span needs startTimeUnixNano", "startTimeUnixNano")
    start = as_int(span["startTimeUnixNano"], "startTimeUnixNano")
    end_value = span.get("endTimeUnixNano")
    end = as_int(end_value, "endTimeUnixNano") if end_value else start
    if end < start:
        raise Bad(f"ends {start - end:,} ns before it starts", "endTimeUnixNano")
    kind_value = span.get("kind", 0)
    kind = KIND_BY_NUMBER.get(kind_value) if type(kind_value) is int else None
    if kind is None:
        kind = _enum(kind_value, KIND_BY_NAME, KIND_BY_NUMBER, "kind", "span kind")
    attrs = dict(base_attrs) if base_attrs else {}
    raw_attrs = span.get("attributes")
    if raw_attrs:
        attrs.update(attributes(raw_attrs))
    status_doc = span.get("status")
    status_code = 0
    message = None
    if status_doc:
        if type(status_doc) is not dict:
            raise Bad("must be an object", "status")
        code = status_doc.get("code", 0)
        status_code = (
            code
            if code in (0, 1, 2) and type(code) is int
            else _enum(code, STATUS_BY_NAME, {0: 0, 1: 1, 2: 2}, "status.code", "status code")
        )
        message = status_doc.get("message") or None
    events = []
    raw_events = span.get("events")
    if raw_events:
        for i, ev in enumerate(as_list(raw_events, "events")):
            try:
                ev = as_dict(ev, "")
                t = as_int(ev.get("timeUnixNano", start), "timeUnixNano")
                events.append(RawEvent(t, str(ev.get("name", "")), attributes(ev.get("attributes"))))
            except Bad as exc:
                raise exc.inside(f"events[{i}]") from None
    links = []
    raw_links = span.get("links")
    if raw_links:
        for i, lk in enumerate(as_list(raw_links, "links")):
            try:
                lk = as_dict(lk, "")
                ref = attributes(lk.get("attributes")).get(semconv.LINK_TYPE)
                links.append(
                    RawLink(
                        _id(span_id, lk.get("spanId"), "spanId"),
                        _id(trace_id, lk.get("traceId") or tid, "traceId"),
                        "child_of" if ref == "child_of" else "follows_from",
                    )
                )
            except Bad as exc:
                raise exc.inside(f"links[{i}]") from None
    error = None
    if status_code == STATUS_ERROR:
        error = message if isinstance(message, str) else None
        if error is None:
            error = next(
                (
                    str(e.attributes["exception.message"])
                    for e in events
                    if "exception.message" in e.attributes
                ),
                None,
            )
    name = span.get("name")
    return RawSpan(
        trace_id=tid,
        span_id=sid,
        parent_id=parent_id,
        service=service,
        operation=name if type(name) is str else str(name or ""),
        kind=kind,
        start_ns=start,
        duration_ns=end - start,
        status="error" if status_code == STATUS_ERROR else "ok",
        error=error,
        attributes=attrs,
        events=events,
        links=links,
    )


def read(doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS, budget: Budget | None = None) -> list[RawTrace]:
    """The raw traces of an OTLP JSON document, grouped by trace id."""
    doc = _checked(as_dict, doc, "")
    budget = budget or Budget(max_spans)
    resource_spans, key = _container(doc)
    out: list[RawSpan] = []
    for r, rs in enumerate(resource_spans):
        rloc = f"{key}[{r}]"
        try:
            rs = as_dict(rs, "")
            resource = as_dict(rs.get("resource") or {}, "resource")
            res_attrs = attributes(resource.get("attributes"), "resource.attributes")
        except Bad as exc:
            raise exc.at(rloc) from None
        service = res_attrs.pop(semconv.SERVICE_NAME, None)
        service = str(service) if service not in (None, "") else "unknown_service"
        skey = "scopeSpans" if "scopeSpans" in rs else "instrumentationLibrarySpans"
        for s, ss in enumerate(_checked(as_list, rs.get(skey), f"{rloc}.{skey}")):
            sloc = f"{rloc}.{skey}[{s}]"
            ss = _checked(as_dict, ss, sloc)
            scope = ss.get("scope") or ss.get("instrumentationLibrary") or {}
            base = dict(res_attrs)
            if isinstance(scope, dict) and scope.get("name") and scope.get("name") != semconv.SCOPE:
                base[semconv.SCOPE_NAME] = str(scope["name"])
                if scope.get("version"):
                    base[semconv.SCOPE_VERSION] = str(scope["version"])
            spans = _checked(as_list, ss.get("spans"), f"{sloc}.spans")
            budget.take(len(spans))
            for k, sp in enumerate(spans):
                try:
                    out.append(_span(sp, service, base))
                except Bad as exc:
                    raise exc.at(f"{sloc}.spans[{k}]") from None
    return group(out)


# --- writing ------------------------------------------------------------------------------------


def to_any(value: Any) -> dict[str, Any]:
    kind = type(value)
    if kind is str:
        return {"stringValue": value}
    if kind is bool:
        return {"boolValue": value}
    if kind is int:
        return {"intValue": str(value)}
    if kind is float:
        return {"doubleValue": value}
    if kind is list:
        return {"arrayValue": {"values": [to_any(v) for v in value]}}
    return {"stringValue": str(value)}


def to_attributes(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": to_any(v)} for k, v in attrs.items() if v is not None]


def _ns(ms: float) -> int:
    return round(ms * 1_000_000)


def _span_doc(span: Span, trace: Trace, attrs: dict[str, Any], base: int) -> dict[str, Any]:
    start = base + _ns(span.start_ms)
    out: dict[str, Any] = {
        "traceId": trace.trace_id,
        "spanId": span.span_id,
        "parentSpanId": span.parent_id or "",
        "name": span.operation,
        "kind": KIND_NUMBER[span.kind],
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + _ns(span.duration_ms)),
        "attributes": to_attributes(attrs),
    }
    if span.events:
        out["events"] = [
            {
                "timeUnixNano": str(base + _ns(e.time_ms)),
                "name": e.name,
                "attributes": to_attributes(e.attributes),
            }
            for e in span.events
        ]
    if span.links:
        out["links"] = [
            {
                "traceId": link.trace_id or trace.trace_id,
                "spanId": link.span_id,
                "attributes": to_attributes({semconv.LINK_TYPE: link.type}),
            }
            for link in span.links
        ]
    if span.status == "error":
        out["status"] = {"code": STATUS_ERROR, "message": span.error or ""}
    else:
        out["status"] = {"code": STATUS_OK}
    return out


def dump(trace: Trace, *, start_ns: int | None = None) -> dict[str, Any]:
    """An OTLP JSON ``TracesData`` document. ``start_ns``: the trace's absolute start (Unix ns); default
    the one recorded on import, else a fixed date so the output is reproducible."""
    base = start_ns if start_ns is not None else semconv.start_unix_nano(trace, DEFAULT_START_NS)
    resources: dict[bytes, dict[str, Any]] = {}
    for i, span in enumerate(trace.spans):
        attrs = semconv.export_attributes(span, trace, entry=i == 0)
        resource, attrs = semconv.split_resource(attrs)
        scope_name = str(attrs.pop(semconv.SCOPE_NAME, semconv.SCOPE))
        scope_version = str(
            attrs.pop(semconv.SCOPE_VERSION, __version__ if scope_name == semconv.SCOPE else "")
        )
        resource = {semconv.SERVICE_NAME: span.service, **resource}
        rkey = orjson.dumps(resource) if len(resource) > 1 else span.service.encode()
        group_doc = resources.get(rkey)
        if group_doc is None:
            group_doc = resources[rkey] = {"resource": {"attributes": to_attributes(resource)}, "scopes": {}}
        scopes: dict[tuple[str, str], list[dict[str, Any]]] = group_doc["scopes"]
        scopes.setdefault((scope_name, scope_version), []).append(_span_doc(span, trace, attrs, base))
    return {
        "resourceSpans": [
            {
                "resource": g["resource"],
                "scopeSpans": [
                    {"scope": {"name": name, **({"version": version} if version else {})}, "spans": spans}
                    for (name, version), spans in g["scopes"].items()
                ],
            }
            for g in resources.values()
        ]
    }
