"""Chrome / Perfetto trace-event JSON: open the file in https://ui.perfetto.dev or chrome://tracing.

Written as ``{"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}``: one process per
service (``process_name`` metadata), complete events (``ph: "X"``) with ``ts``/``dur`` in microseconds
from the trace start, and span events as instant events (``ph: "i"``). The viewer needs the events of
one thread to nest, so each service's spans are spread over as many threads ("lanes") as parallel
calls need. A span's ids, kind, status and attributes travel in its ``args``, which import reads back.

Read: traceplay's own files, and plain trace-event files from other tools — complete events and
``B``/``E`` pairs, where a span's parent is the event it nests in on the same thread.
"""

from __future__ import annotations

from typing import Any

from traceplay.domain.trace import Span, Trace
from traceplay.formats import semconv
from traceplay.formats.ids import BadId, content_trace_id, span_id, trace_id
from traceplay.formats.otlp import DEFAULT_START_NS
from traceplay.formats.raw import (
    DEFAULT_MAX_SPANS,
    KINDS,
    Bad,
    Budget,
    RawEvent,
    RawLink,
    RawSpan,
    RawTrace,
    as_dict,
    as_list,
    as_number,
    bad,
    group,
    us_to_ns,
)

NAME = "chrome"
GENERATOR = "traceplay"


def detect(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("traceEvents"), list)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        return isinstance(doc[0].get("ph"), str) and ("ts" in doc[0] or doc[0].get("ph") == "M")
    return False


# --- reading ------------------------------------------------------------------------------------


def _maybe(parse: Any, value: Any) -> str | None:
    try:
        result: str = parse(value)
    except BadId:
        return None
    return result


def _attributes(args: dict[str, Any], explicit: bool) -> dict[str, Any]:
    if explicit:
        attrs = args.get("attributes") or {}
        return {str(k): semconv.clean_value(v) for k, v in attrs.items()} if isinstance(attrs, dict) else {}
    skip = ("span_id", "parent_id", "trace_id", "service", "kind", "status", "error")
    return {f"args.{k}": semconv.clean_value(v) for k, v in args.items() if k not in skip}


def _span_from(ev: dict[str, Any], start: int, end: int, ctx: dict[str, Any]) -> RawSpan:
    raw_args = ev.get("args")
    args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
    explicit = "span_id" in args
    sid = _maybe(span_id, args.get("span_id")) if explicit else None
    if explicit and sid is None:
        raise Bad(f"{args.get('span_id')!r:.40} is not a hex span id", "args.span_id")
    parent = args.get("parent_id")
    parent_id = _maybe(span_id, parent) if explicit and parent else None
    kind = str(args.get("kind", "internal"))
    failed = args.get("status") == "error"
    attrs = _attributes(args, explicit)
    if not explicit and ev.get("cat"):
        attrs["chrome.category"] = str(ev["cat"])
    events = []
    for i, e in enumerate(as_list(args.get("events"), "args.events") if explicit else []):
        eloc = f"args.events[{i}]"
        e = as_dict(e, eloc)
        t = ctx["base"] + round(as_number(e.get("time_ms", 0), f"{eloc}.time_ms") * 1_000_000)
        e_attrs = e.get("attributes")
        cleaned = {k: semconv.clean_value(v) for k, v in e_attrs.items()} if isinstance(e_attrs, dict) else {}
        events.append(RawEvent(t, str(e.get("name", "")), cleaned))
    links = []
    for i, lk in enumerate(as_list(args.get("links"), "args.links") if explicit else []):
        lloc = f"args.links[{i}]"
        lk = as_dict(lk, lloc)
        lsid = _maybe(span_id, lk.get("span_id"))
        if lsid is None:
            raise Bad("a link needs a hex span_id", f"{lloc}.span_id")
        ltid = _maybe(trace_id, lk.get("trace_id")) if lk.get("trace_id") else None
        links.append(RawLink(lsid, ltid, "child_of" if lk.get("type") == "child_of" else "follows_from"))
    pid = _key(ev.get("pid", 0))
    service = args.get("service") or ctx["names"].get(pid) or f"pid {pid}"
    error = args.get("error")
    return RawSpan(
        trace_id=ctx["trace_id"],
        span_id=sid or "",
        parent_id=parent_id,
        service=str(service),
        operation=str(ev.get("name", "")),
        kind=kind if kind in KINDS else "internal",
        start_ns=start,
        duration_ns=max(end - start, 0),
        status="error" if failed else "ok",
        error=str(error) if failed and error else None,
        attributes=attrs,
        events=events,
        links=links,
    )


def _key(value: Any) -> Any:
    """A pid or tid as a dict key: a JSON scalar as it is, a list or an object (any JSON may stand
    there) as its text."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)


def _nest(spans: list[RawSpan], lanes: list[tuple[Any, Any]]) -> None:
    """Ids and parents for spans that carry none: parent = the event they nest in on their thread."""
    by_lane: dict[tuple[Any, Any], list[int]] = {}
    for i, lane in enumerate(lanes):
        if not spans[i].span_id:
            spans[i].span_id = f"{i + 1:016x}"
            by_lane.setdefault(lane, []).append(i)
    for indexes in by_lane.values():
        indexes.sort(key=lambda i: (spans[i].start_ns, -spans[i].duration_ns))
        stack: list[int] = []
        for i in indexes:
            span = spans[i]
            while (
                stack
                and spans[stack[-1]].start_ns + spans[stack[-1]].duration_ns
                < span.start_ns + span.duration_ns
            ):
                stack.pop()
            span.parent_id = spans[stack[-1]].span_id if stack else None
            stack.append(i)


def read(doc: Any, *, max_spans: int = DEFAULT_MAX_SPANS, budget: Budget | None = None) -> list[RawTrace]:
    """The raw traces of a trace-event document."""
    budget = budget or Budget(max_spans)
    other: dict[str, Any] = {}
    if isinstance(doc, dict):
        events = doc.get("traceEvents")
        if type(events) is not list:
            raise bad("must be a list of events", "traceEvents")
        raw_other = doc.get("otherData")
        other = raw_other if isinstance(raw_other, dict) else {}
        prefix = "traceEvents"
    else:
        if type(doc) is not list:
            raise bad("a trace-event document must be a list or an object with traceEvents", "")
        events, prefix = doc, ""
    base_text = str(other.get(semconv.START_UNIX_NANO, ""))
    ctx: dict[str, Any] = {
        "base": int(base_text) if base_text.isdigit() else 0,
        "names": {},
        "trace_id": _maybe(trace_id, other.get("trace_id")) if other.get("trace_id") else None,
    }
    if ctx["trace_id"] is None:
        first: dict[str, Any] = next(
            (e for e in events if isinstance(e, dict) and e.get("ph") in ("X", "B")), {}
        )
        first_args = first.get("args")
        found = _maybe(trace_id, first_args.get("trace_id")) if isinstance(first_args, dict) else None
        ctx["trace_id"] = found or content_trace_id(len(events), first.get("name"), first.get("ts"))
    for ev in events:
        if isinstance(ev, dict) and ev.get("ph") == "M" and ev.get("name") == "process_name":
            name = (ev.get("args") or {}).get("name") if isinstance(ev.get("args"), dict) else None
            if name:
                ctx["names"][_key(ev.get("pid", 0))] = str(name)
    spans: list[RawSpan] = []
    lanes: list[tuple[Any, Any]] = []
    open_: dict[tuple[Any, Any], list[tuple[int, dict[str, Any], int]]] = {}
    for i, ev in enumerate(events):
        loc = f"{prefix}[{i}]"
        if not isinstance(ev, dict):
            raise bad("a trace event must be an object", loc)
        ph = ev.get("ph")
        if ph not in ("X", "B", "E"):
            continue
        lane = (_key(ev.get("pid", 0)), _key(ev.get("tid", 0)))
        try:
            ts = ctx["base"] + us_to_ns(ev.get("ts"), "ts")
            if ph == "B":
                open_.setdefault(lane, []).append((i, ev, ts))
                continue
            if ph == "E":
                stack = open_.get(lane)
                if not stack:
                    raise Bad("an end event (E) without a begin event (B) on its thread")
                j, begin, start = stack.pop()
                loc = f"{prefix}[{j}]"
                budget.take()
                spans.append(_span_from(begin, start, ts, ctx))
            else:
                budget.take()
                dur = us_to_ns(ev.get("dur", 0), "dur")
                if dur < 0:
                    raise Bad("must not be negative", "dur")
                spans.append(_span_from(ev, ts, ts + dur, ctx))
        except Bad as exc:
            raise exc.at(loc) from None
        lanes.append(lane)
    for lane, stack in open_.items():
        if stack:
            raise bad(f"a begin event (B) on thread {lane} never ends", f"{prefix}[{stack[-1][0]}]")
    _nest(spans, lanes)
    return group(spans)


# --- writing ------------------------------------------------------------------------------------


def _lanes(spans: list[Span]) -> list[int]:
    """A thread per span so that the spans of one thread nest (what the viewer needs)."""
    lane_of = [0] * len(spans)
    lanes: dict[str, list[list[float]]] = {}  # service -> lanes -> stack of end times
    eps = 1e-9
    for i in sorted(range(len(spans)), key=lambda i: (spans[i].start_ms, -spans[i].duration_ms)):
        span = spans[i]
        end = span.start_ms + span.duration_ms
        service_lanes = lanes.setdefault(span.service, [])
        for n, stack in enumerate(service_lanes):
            while stack and stack[-1] <= span.start_ms + eps:
                stack.pop()
            if not stack or stack[-1] + eps >= end:
                stack.append(end)
                lane_of[i] = n
                break
        else:
            service_lanes.append([end])
            lane_of[i] = len(service_lanes) - 1
    return lane_of


def _us(ms: float) -> float:
    return round(ms * 1000, 3)


def dump(trace: Trace, *, start_ns: int | None = None) -> dict[str, Any]:
    """A trace-event document (times from the trace start; the absolute start is in ``otherData``)."""
    base = start_ns if start_ns is not None else semconv.start_unix_nano(trace, DEFAULT_START_NS)
    pids: dict[str, int] = {}
    for span in trace.spans:
        pids.setdefault(span.service, len(pids) + 1)
    lane_of = _lanes(trace.spans)
    meta: list[dict[str, Any]] = []
    for service, pid in pids.items():
        meta.append({"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": service}})
        meta.append(
            {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": pid}}
        )
    threads: set[tuple[int, int]] = set()
    events: list[dict[str, Any]] = []
    for i, span in enumerate(trace.spans):
        pid, tid = pids[span.service], lane_of[i] + 1
        if (pid, tid) not in threads:
            threads.add((pid, tid))
            meta.append(
                {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": f"lane {tid}"}}
            )
        args: dict[str, Any] = {
            "trace_id": trace.trace_id,
            "span_id": span.span_id,
            "parent_id": span.parent_id,
            "service": span.service,
            "kind": span.kind,
            "status": span.status,
        }
        if span.error:
            args["error"] = span.error
        args["attributes"] = semconv.export_attributes(span, trace, entry=i == 0)
        if span.events:
            args["events"] = [e.model_dump() for e in span.events]
        if span.links:
            args["links"] = [link.model_dump() for link in span.links]
        events.append(
            {
                "name": span.operation,
                "cat": span.component or span.kind,
                "ph": "X",
                "ts": _us(span.start_ms),
                "dur": _us(span.duration_ms),
                "pid": pid,
                "tid": tid,
                "args": args,
            }
        )
        for e in span.events:
            events.append(
                {
                    "name": e.name,
                    "ph": "i",
                    "s": "t",
                    "ts": _us(e.time_ms),
                    "pid": pid,
                    "tid": tid,
                    "args": {"span_id": span.span_id},
                }
            )
    return {
        "traceEvents": meta + events,
        "displayTimeUnit": "ms",
        "otherData": {
            "generator": GENERATOR,
            "trace_id": trace.trace_id,
            semconv.START_UNIX_NANO: str(base),
        },
    }
