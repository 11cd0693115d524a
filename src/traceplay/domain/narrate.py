"""Step-through: ``narrate(trace, flow=None) -> list[Step]`` tells one request hop by hop, in time order.

Each span gives its steps: the call (or publish, or consume) when it starts, and its return, error or
end when it finishes; the caller's own events add timeouts, retries and handled errors; the entry span
opens with the request and closes with the response. Every step carries its time, span, the nodes it
moves between, and a sentence built from the span's data (service, operation, duration, error, a few
well-known attributes). With the scenario's flow, the variant's authored findings are attached to the
step they explain — each once, on the first step that touches its edges (or nodes), and on a failure
when the finding talks about one.

Ties are broken so the story reads right: ends before starts, the deeper span's end first (a callee
answers before its caller does), the response before work that starts at the same instant, calls in
tree order. Iterative, O(n log n): a 100,000-span trace gives about 200,000 steps.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from traceplay.domain.analysis import text
from traceplay.domain.analysis.scenario import topics_of
from traceplay.domain.flow import Finding, Flow
from traceplay.domain.trace import AttrValue, Span, SpanEvent, SpanStatus, Trace

StepKind = Literal[
    "request", "call", "retry", "publish", "consume", "return", "error", "timeout", "handled", "done",
    "response",
]  # fmt: skip

EPS = 1e-6
_END, _RESPONSE, _START = 0, 1, 2  # tie-break ranks at the same instant


class Note(BaseModel):
    """An authored finding of the scenario, attached to the step it explains."""

    model_config = ConfigDict(extra="forbid")
    title: str
    detail: str
    severity: Literal["info", "warning", "critical"]


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    t_ms: float
    kind: StepKind
    span_id: str
    node_id: str | None = Field(description="the node where this step happens")
    from_node: str | None = Field(description="where the hop starts (a call: the caller)")
    to_node: str | None = Field(description="where the hop ends (a call: the callee; a return: the caller)")
    edge_id: str | None
    status: SpanStatus
    after_response: bool = Field(description="happens after the caller already had its answer")
    text: str
    notes: list[Note] = Field(default_factory=list)


# a few well-known attributes, as a phrase after the sentence
_ATTRIBUTE_PHRASES: tuple[tuple[str, Callable[[AttrValue], str | None]], ...] = (
    ("cache.hit", lambda v: "cache hit" if v is True else "cache miss" if v is False else None),
    ("http.response.status_code", lambda v: f"HTTP {v}" if isinstance(v, int) else None),
    ("rpc.grpc.status_code", lambda v: f"gRPC status {v}" if isinstance(v, int) and v else None),
    ("db.rows_examined", lambda v: f"{v:,} rows examined" if isinstance(v, int) else None),
    ("circuit_breaker.state", lambda v: f"circuit breaker {v}" if isinstance(v, str) else None),
)


def _phrases(span: Span) -> str:
    out = []
    for key, phrase in _ATTRIBUTE_PHRASES:
        if key in span.attributes:
            p = phrase(span.attributes[key])
            if p:
                out.append(p)
    return f" ({', '.join(out)})" if out else ""


def _op(span: Span) -> str:
    return f"“{text.short(span.operation, 60)}”"


_STARTS = frozenset({"request", "call", "retry", "publish", "consume"})


class _Draft:
    __slots__ = ("from_node", "kind", "rank", "seq", "span", "t", "text", "to_node")

    def __init__(
        self, t: float, rank: int, seq: int, kind: StepKind, span: Span, text_: str,
        from_node: str | None, to_node: str | None,
    ) -> None:  # fmt: skip
        self.t, self.rank, self.seq, self.kind, self.span, self.text = t, rank, seq, kind, span, text_
        self.from_node, self.to_node = from_node, to_node


def narrate(trace: Trace, flow: Flow | None = None) -> list[Step]:
    """The request told hop by hop. ``flow``: the scenario it came from, for its authored findings."""
    enabled = gc.isenabled()
    gc.disable()  # two steps per span: collections would rescan the whole trace again and again
    try:
        return _narrate(trace, flow)
    finally:
        if enabled:
            gc.enable()


def _narrate(trace: Trace, flow: Flow | None) -> list[Step]:
    spans = trace.spans
    if not spans:
        return []
    by_id: dict[str, Span] = {}
    kids: dict[str, list[Span]] = {}
    for s in spans:
        by_id.setdefault(s.span_id, s)
        if s.parent_id is not None:
            kids.setdefault(s.parent_id, []).append(s)
    order: dict[str, int] = {}
    depth: dict[str, int] = {}
    for n, (s, d) in enumerate(trace.walk()):
        order.setdefault(s.span_id, n)
        depth.setdefault(s.span_id, d)
    entry = next((s for s in spans if s.parent_id is None), None) or min(spans, key=lambda s: s.start_ms)
    response_end = entry.end_ms
    drafts: list[_Draft] = []
    for s in spans:
        parent = by_id.get(s.parent_id) if s.parent_id is not None else None
        if parent is s:
            parent = None
        seq = order.get(s.span_id, len(order))
        deep = depth.get(s.span_id, 0)
        drafts.extend(_span_steps(s, parent, s is entry, seq, deep, trace, kids))
    drafts.sort(key=lambda d: (d.t, d.rank, d.seq))
    steps = [
        _construct(
            index=i,
            t_ms=round(d.t, 3),
            kind=d.kind,
            span_id=d.span.span_id,
            node_id=d.span.node_id,
            from_node=d.from_node,
            to_node=d.to_node,
            edge_id=d.span.edge_id,
            status="ok" if d.kind in _STARTS else d.span.status,
            after_response=d.t > response_end + EPS,
            text=d.text,
            notes=[],
        )
        for i, d in enumerate(drafts)
    ]
    if flow is not None and trace.variant is not None and trace.variant in flow.variants:
        _attach(steps, flow.variants[trace.variant].findings)
    return steps


def _construct(**values: Any) -> Step:
    """A Step from values built here and known to be valid, without pydantic's per-field validation
    (most of the time of a 100,000-span narration)."""
    step = Step.__new__(Step)
    object.__setattr__(step, "__dict__", values)
    object.__setattr__(step, "__pydantic_fields_set__", set(values))
    object.__setattr__(step, "__pydantic_extra__", None)
    object.__setattr__(step, "__pydantic_private__", None)
    return step


def _span_steps(
    s: Span,
    parent: Span | None,
    is_entry: bool,
    seq: int,
    deep: int,
    trace: Trace,
    kids: dict[str, list[Span]],
) -> list[_Draft]:
    out: list[_Draft] = []
    end_key = -deep  # at the same instant, the deeper span's end first
    node = s.node_id
    if parent is None:
        verb = "sends" if s.kind == "client" else "starts"
        out.append(_Draft(s.start_ms, _START, seq, "request", s, f"{s.service} {verb} {_op(s)}.", None, node))
        if is_entry:
            outcome = (
                f"an error — {text.short(s.error or 'error', 100)}" if s.status == "error" else "success"
            )
            later = sum(1 for x in trace.spans if x.end_ms > s.end_ms + EPS)
            tail = f" {text.count(later, 'span')} end after it: nobody waits for them." if later else ""
            took = text.ms(s.duration_ms)
            head = (
                f"{s.service} has its response after {took}"
                if s.kind == "client"
                else f"{s.service} sends its response after {took}"
            )
            out.append(
                _Draft(
                    s.end_ms,
                    _RESPONSE,
                    seq,
                    "response",
                    s,
                    f"{head}: {outcome}{_phrases(s)}.{tail}",
                    node,
                    None,
                )
            )
        else:
            out.append(_end(s, None, end_key, "done", f"{s.service} is done after {text.ms(s.duration_ms)}"))
        out.extend(_events(s, seq, kids))
        return out
    pnode = parent.node_id
    asynchronous = s.kind == "consumer" or any(link.span_id == parent.span_id for link in s.links)
    if s.kind == "producer":
        out.append(
            _Draft(
                s.start_ms, _START, seq, "publish", s,
                f"{parent.service} publishes to {s.service}: {_op(s)} — and does not wait for the consumers.",
                pnode, node,
            )
        )  # fmt: skip
        if s.status == "error":
            out.append(_end(s, pnode, end_key, "error", f"{s.service} rejects the message: {_err(s)}"))
    elif asynchronous:
        wait = s.start_ms - parent.end_ms if s.start_ms >= parent.end_ms else 0.0
        queued = f" after {text.ms(wait)} in the queue" if wait >= 1.0 else ""
        out.append(
            _Draft(
                s.start_ms, _START, seq, "consume", s,
                f"{s.service} picks up the message from {parent.service}{queued}: {_op(s)}.", pnode, node,
            )
        )  # fmt: skip
        took = text.ms(s.duration_ms)
        if s.status == "error":
            out.append(_end(s, None, end_key, "error", f"{s.service} fails after {took}: {_err(s)}"))
        else:
            out.append(_end(s, None, end_key, "done", f"{s.service} is done after {took}{_phrases(s)}"))
    else:
        out.extend(_sync_steps(s, parent, seq, end_key))
    out.extend(_events(s, seq, kids))
    return out


def _sync_steps(s: Span, parent: Span, seq: int, end_key: int) -> list[_Draft]:
    pnode, node = parent.node_id, s.node_id
    attempt = s.attributes.get("traceplay.attempt")
    out = []
    if isinstance(attempt, int) and attempt > 1:
        reason = _retry_reason(parent, s, attempt)
        out.append(
            _Draft(
                s.start_ms, _START, seq, "retry", s,
                f"{parent.service} tries {s.service} again (attempt {attempt}){reason}: {_op(s)}.",
                pnode, node,
            )
        )  # fmt: skip
    else:
        out.append(
            _Draft(
                s.start_ms,
                _START,
                seq,
                "call",
                s,
                f"{parent.service} calls {s.service}: {_op(s)}.",
                pnode,
                node,
            )
        )
    took = text.ms(s.duration_ms)
    gave_up = _timeout_at(parent, s, s.end_ms)
    if s.attributes.get("traceplay.orphaned") is True:
        out.append(
            _end(
                s, None, end_key, "done",
                f"{s.service} finishes after {took}, but {parent.service} stopped waiting: work nobody uses",
            )
        )  # fmt: skip
    elif s.status == "error" and gave_up is not None:
        out.append(
            _end(
                s, pnode, end_key, "timeout",
                f"{parent.service} gives up on {s.service} after {text.ms(gave_up)}: {_err(s)}",
            )
        )  # fmt: skip
    elif s.status == "error":
        out.append(_end(s, pnode, end_key, "error", f"{s.service} fails after {took}: {_err(s)}"))
    else:
        out.append(
            _end(
                s, pnode, end_key, "return", f"{s.service} answers {parent.service} after {took}{_phrases(s)}"
            )
        )
    return out


def _end(s: Span, to: str | None, end_key: int, kind: StepKind, sentence: str) -> _Draft:
    return _Draft(s.end_ms, _END, end_key, kind, s, sentence + ".", s.node_id, to)


def _err(s: Span) -> str:
    return text.short(s.error or "error", 120)


def _timeout_at(parent: Span, child: Span, at: float) -> float | None:
    """The caller's timeout that fired when the child ended (a hang cut by the caller), as its limit."""
    for ev in parent.events:
        if (
            ev.name == "timeout"
            and abs(ev.time_ms - at) <= 1e-3
            and ev.attributes.get("target") == child.service
        ):
            limit = ev.attributes.get("timeout_ms")
            return float(limit) if isinstance(limit, int | float) else at - child.start_ms
    return None


def _retry_reason(parent: Span, child: Span, attempt: int) -> str:
    for ev in parent.events:
        if (
            ev.name == "retry"
            and ev.attributes.get("attempt") == attempt
            and ev.attributes.get("target") == child.service
        ):
            reason = ev.attributes.get("reason")
            return f", because {text.short(str(reason), 80)}" if reason else ""
    return ""


def _events(s: Span, seq: int, kids: dict[str, list[Span]]) -> list[_Draft]:
    """The span's own events that are steps of their own: a timeout on work that went on (orphaned) and
    an error it handled. Hangs cut by a timeout and retries are told on the callee's steps."""
    out = []
    for ev in s.events:
        if ev.name == "timeout" and not _hang_cut(ev, kids.get(s.span_id, [])):
            target = str(ev.attributes.get("target", "a call"))
            limit = ev.attributes.get("timeout_ms")
            after = f" after {text.ms(float(limit))}" if isinstance(limit, int | float) else ""
            out.append(
                _Draft(
                    ev.time_ms, _END, seq, "timeout", s,
                    f"{s.service} stops waiting for {target}{after}: a timeout, though the work goes on.",
                    s.node_id, s.node_id,
                )
            )  # fmt: skip
        elif ev.name == "error handled":
            target = str(ev.attributes.get("target", "a call"))
            out.append(
                _Draft(
                    ev.time_ms, _END, seq, "handled", s,
                    f"{s.service} handles the failure of {target} and carries on.", s.node_id, s.node_id,
                )
            )  # fmt: skip
    return out


def _hang_cut(ev: SpanEvent, children: list[Span]) -> bool:
    """Is this timeout told on a failed child that ended with it (the hang it cut)?"""
    target = ev.attributes.get("target")
    return any(
        c.service == target and c.status == "error" and abs(c.end_ms - ev.time_ms) <= 1e-3 for c in children
    )


def _attach(steps: list[Step], findings: list[Finding]) -> None:
    """Each authored finding on the first step it explains."""
    for f in findings:
        edges, nodes = set(f.edges), set(f.nodes)
        failing = bool({"error", "timeout"} & topics_of(f"{f.title} {f.detail}"))
        best: Step | None = None
        best_rank = 9
        for step in steps:
            rank = _match(step, edges, nodes, failing)
            if rank < best_rank:
                best, best_rank = step, rank
                if rank == 0:
                    break
        if best is not None:
            best.notes.append(Note(title=f.title, detail=f.detail, severity=f.severity))


def _match(step: Step, edges: set[str], nodes: set[str], failing: bool) -> int:
    """How well a step fits a finding: 0 best (a failure it talks about, or the call through its edge) …
    9 not at all."""
    on_edge = step.edge_id is not None and step.edge_id in edges
    on_node = step.node_id in nodes or step.to_node in nodes
    if failing:
        if step.kind in ("error", "timeout") and (on_edge or on_node):
            return 0
        return 2 if on_edge else 3 if on_node else 9
    return 0 if on_edge else 1 if on_node else 9
