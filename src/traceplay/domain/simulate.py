"""The simulation engine: ``simulate(flow, variant) -> Trace``.

The rules (DESIGN.md, "Simulation semantics"), as this module implements them:

1. Roots are nodes that no edge targets; the entry root (``flow.entry`` or the first root in node
   order) starts at 0, other roots too, as spans without a parent. A node whose incoming edges are
   all out of this variant is not reached and has no span.
2. One span per call: the callee's work on behalf of the caller, child of the caller's span. A node's
   self time is split around its calls (half before, half after; a leaf or a broker does all of it
   before; ``self_time: before|after`` on a node says otherwise). A ``sync`` child starts inside its
   parent and ends inside it, unless a timeout cut the parent's wait: then the child's work goes on
   after the caller gave up (``traceplay.orphaned``). An edge's ``calls`` list narrows which of the
   callee's own calls it makes when reached through that edge (a charge and a refund of one service).
3. Edges out of a node run in ascending ``step``; calls that share a step start together, and step k+1
   starts when every call of step k has returned.
4. An ``async`` call does not block its caller: the consumer span starts after the hand-off (plus the
   edge's ``delay_ms``, the queue wait), is linked ``follows_from`` and may end after the response.
   A call into a broker is a ``producer`` span, a delivery out of one a ``consumer`` span.
5. ``repeat: n`` makes n sequential calls; ``retries: n`` repeats a failed call up to n more times, each
   attempt its own span, ``retry_backoff_ms`` apart (times ``retry_backoff_multiplier`` per attempt).
   With ``fail_attempts: k`` only the first k attempts meet the fault; later ones get through at the
   node's usual latency.
6. ``down`` fails fast (connection refused); ``timeout`` hangs until the caller's ``timeout_ms`` (or
   the flow's ``default_timeout_ms``); ``error`` fails after the node's self time. A failed sync call
   fails its caller (which stops calling later steps) unless the edge says ``handled``. Skipped nodes
   and edges are not called and have no span.
7. Deterministic: ids come from a hash of the inputs; jitter (±10 %) only with an explicit seed.
8. An edge back to a node already on the call path (a loop closed by ``repeat``) calls it as a leaf.

Every walk is iterative: a frame stack instead of recursion, so 100,000-deep chains are fine.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from traceplay.domain import catalogue
from traceplay.domain.flow import (
    VARIANT_NAMES,
    Edge,
    EdgeOverride,
    FaultKind,
    Flow,
    Node,
    NodeOverride,
    Variant,
    edge_mode,
)
from traceplay.domain.gcpause import PAUSE_AT, collector_paused
from traceplay.domain.trace import Span, SpanEvent, SpanLink, Trace, trusted
from traceplay.errors import NotFoundError, Problem, SimulationError

DOWN_MS = 1.0  # a refused connection answers in about a millisecond
DEFAULT_MAX_SPANS = 200_000
FAULT_KINDS: tuple[str, ...] = ("slow", "down", "timeout", "error")


def slow_latency(latency_ms: float) -> float:
    """What an injected `slow` fault does to a self time: ten times, and at least a second more."""
    return max(latency_ms * 10.0, latency_ms + 1000.0)


@dataclass(slots=True, frozen=True)
class _Call:
    """An edge as this variant sees it: the edge's values with the variant's override applied."""

    edge: Edge
    mode: str
    delay_ms: float
    timeout_ms: float | None
    retries: int
    retry_backoff_ms: float
    retry_backoff_multiplier: float
    repeat: int
    on_error: str
    fail_attempts: int | None
    attributes: dict[str, Any]
    only: frozenset[str] | None  # the callee's calls this edge asks for (None: all of them)

    @classmethod
    def of(cls, edge: Edge, ov: EdgeOverride | None, mode: str) -> _Call:
        e = edge
        only = frozenset(e.calls) if e.calls is not None else None
        if ov is None:  # the common case, on the hot path of big flows
            backoff = (e.retry_backoff_ms, e.retry_backoff_multiplier)
            return cls(e, mode, e.delay_ms, e.timeout_ms, e.retries, *backoff, e.repeat, e.on_error,
                       None, e.attributes, only)  # fmt: skip

        def pick(name: str) -> Any:
            value = getattr(ov, name)
            return value if value is not None else getattr(e, name)

        return cls(
            e,
            mode,
            pick("delay_ms"),
            pick("timeout_ms"),
            pick("retries"),
            pick("retry_backoff_ms"),
            e.retry_backoff_multiplier,
            pick("repeat"),
            pick("on_error"),
            ov.fail_attempts,
            {**e.attributes, **ov.attributes},
            only,
        )


@dataclass(slots=True)
class _NodeSpec:
    """A node as this variant sees it."""

    node: Node
    latency: float
    status: str  # ok | error | down | timeout
    error: str | None
    fail_at: str
    attributes: dict[str, Any]
    base_attributes: dict[str, Any]  # without the variant's overrides: what a recovered attempt shows
    broker: bool
    kind_in: str  # span kind of a sync call into it
    calls: list[list[_Call]]  # steps, each a list of parallel calls


@dataclass(slots=True)
class _Rec:
    """A span under construction; times relative to the parent span's start."""

    parent: int
    spec: _NodeSpec
    edge: Edge | None
    kind: str
    rel_start: float
    duration: float | None = None  # None while it hangs, until its caller gives up
    status: str = "ok"
    error: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    follows: bool = False
    cause: str | None = None  # the root cause of an error, carried up so messages stay short


@dataclass(slots=True)
class _Frame:
    rec: int
    spec: _NodeSpec
    calls: list[list[_Call]]  # the node's steps, or the part of them its caller asked for
    leaf: bool
    pre: float
    post: float
    cursor: float = 0.0  # start of the current step, relative to the node's start
    step_i: int = 0
    call_i: int = 0
    waits: list[float] = field(default_factory=list)
    failed: str | None = None
    cause: str | None = None
    # the call in progress
    rep: int = 0
    attempt: int = 0
    call_cursor: float = 0.0  # relative to the step start
    call_failed: str | None = None
    call_cause: str | None = None


def resolve_variant(flow: Flow, variant: str) -> tuple[Variant, dict[str, FaultKind]]:
    """The variant to run and the faults it implies (generated slow/error for flows without them)."""
    authored = flow.variants.get(variant)
    if authored is not None:
        return authored, {}
    if variant not in VARIANT_NAMES:
        known = sorted(set(VARIANT_NAMES) | set(flow.variants))
        raise NotFoundError(
            f"unknown variant '{variant}'", [Problem(f"choose one of: {', '.join(known)}", "variant")]
        )
    if variant == "success":
        return Variant(title="Success", summary="Every component answers with its usual latency."), {}
    target = pick_fault_node(flow)
    if target is None:
        return Variant(title=variant.capitalize()), {}
    label = flow.node_map()[target].label or target
    if variant == "slow":
        return Variant(
            title=f"Slow {label}",
            summary=f"{label} answers ten times slower than usual.",
            severity="warning",
        ), {target: "slow"}
    return Variant(
        title=f"{label} fails",
        summary=f"{label} returns an error; watch where it propagates.",
        severity="critical",
    ), {target: "error"}


def pick_fault_node(flow: Flow) -> str | None:
    """The node a generated fault strikes: the flow's choice, else the deepest synchronous dependency
    (ties: the slowest)."""
    if flow.fault_node:
        return flow.fault_node
    nodes = flow.node_map()
    if not nodes:
        return None
    targets = {e.target for e in flow.edges}
    entry = flow.entry or next((n.id for n in flow.nodes if n.id not in targets), flow.nodes[0].id)
    out: dict[str, list[str]] = {}
    for e in flow.edges:
        if edge_mode(e, nodes) == "sync" and (e.variants is None or "success" in e.variants):
            out.setdefault(e.source, []).append(e.target)
    depth = {entry: 0}
    queue = [entry]
    for nid in queue:  # breadth-first; the list grows while we walk it
        for t in out.get(nid, []):
            if t not in depth:
                depth[t] = depth[nid] + 1
                queue.append(t)
    if len(depth) == 1:
        return entry

    def key(nid: str) -> tuple[int, float]:
        return depth[nid], _base_latency(nodes[nid])

    return max((n for n in depth if n != entry), key=key)


def _base_latency(node: Node) -> float:
    if node.latency_ms is not None:
        return node.latency_ms
    comp = catalogue.get(node.component)
    return comp.latency_ms if comp else 10.0


def _trace_id(flow: Flow, variant: str, seed: int | None, faults: Mapping[str, str]) -> str:
    text = f"{flow.id}|{variant}|{seed}|{sorted(faults.items())}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _span_id(trace_id: str, index: int) -> str:
    return hashlib.blake2b(f"{trace_id}:{index}".encode(), digest_size=8).hexdigest()


def simulate(
    flow: Flow,
    variant: str = "success",
    *,
    faults: Mapping[str, str] | None = None,
    seed: int | None = None,
    max_spans: int = DEFAULT_MAX_SPANS,
) -> Trace:
    """Run one request through ``flow`` in ``variant`` and return its trace."""
    spec_variant, implied = resolve_variant(flow, variant)
    nodes = flow.node_map()
    all_faults: dict[str, str] = {**implied, **(faults or {})}
    for nid, kind in all_faults.items():
        if nid not in nodes:
            raise NotFoundError(f"fault on unknown node '{nid}'", [Problem("no such node", "faults", nid)])
        if kind not in FAULT_KINDS:
            raise NotFoundError(
                f"unknown fault '{kind}' on node '{nid}'",
                [Problem(f"choose one of: {', '.join(FAULT_KINDS)}", "faults", nid)],
            )
    specs = _node_specs(flow, variant, spec_variant, all_faults)
    if not specs:
        raise SimulationError("the flow has no nodes to simulate")
    trace_id = _trace_id(flow, variant, seed, faults or {})
    rng = random.Random(seed) if seed is not None else None

    # roots: nodes that no edge of the flow calls. A node whose callers exist but are not taken in
    # this variant (the database behind a cache hit) is simply not reached: it gets no span.
    targets = {e.target for e in flow.edges}
    roots = [nid for nid in specs if nid not in targets]
    if flow.entry and flow.entry in specs:
        roots = [flow.entry] + [r for r in roots if r != flow.entry]
    if not roots:  # the entry itself sits in a loop closed by a repeat edge
        roots = [next(iter(specs))]

    recs: list[_Rec] = []
    with collector_paused(len(flow.nodes) + len(flow.edges) >= PAUSE_AT):
        for root_id in roots:
            _run_from(root_id, specs, recs, rng, flow.default_timeout_ms, max_spans)
        return _to_trace(flow, variant, trace_id, recs, dict(faults or {}), seed)


def _node_specs(flow: Flow, variant: str, spec: Variant, faults: Mapping[str, str]) -> dict[str, _NodeSpec]:
    overrides: dict[str, NodeOverride] = spec.nodes
    specs: dict[str, _NodeSpec] = {}
    for node in flow.nodes:
        ov = overrides.get(node.id)
        if ov is not None and ov.skip:
            continue
        comp = catalogue.get(node.component)
        latency = _base_latency(node)
        status, error, fail_at = "ok", None, "start"
        attributes: dict[str, Any] = comp.attributes if comp else {}
        if node.attributes:
            attributes = {**attributes, **node.attributes}
        base_attributes = attributes
        if ov is not None:
            latency = ov.latency_ms if ov.latency_ms is not None else latency
            status = ov.status or status
            error, fail_at = ov.error, ov.fail_at
            attributes = {**attributes, **ov.attributes}
        fault = faults.get(node.id)
        if fault == "slow":
            latency = slow_latency(latency)
        elif fault in ("down", "timeout", "error"):
            status, error = fault, error if status == fault else None
            if fault == "error":
                error = error or "injected error"
        specs[node.id] = _NodeSpec(
            node=node,
            latency=latency,
            status=status,
            error=error,
            fail_at=fail_at,
            attributes=attributes,
            base_attributes=base_attributes,
            broker=bool(comp and comp.mode == "async"),
            kind_in=comp.span_kind if comp else "server",
            calls=[],
        )
    by_step: dict[str, dict[int, list[_Call]]] = {}
    for edge in flow.edges:
        eov = spec.edges.get(edge.id)
        if eov is not None and eov.skip:
            continue
        if edge.variants is not None and variant not in edge.variants:
            continue
        if edge.source not in specs or edge.target not in specs:
            continue
        if edge.mode is not None:
            mode: str = edge.mode
        else:
            async_end = specs[edge.target].broker or specs[edge.source].broker
            mode = "async" if async_end else "sync"
        by_step.setdefault(edge.source, {}).setdefault(edge.step, []).append(_Call.of(edge, eov, mode))
    for nid, steps in by_step.items():
        specs[nid].calls = [steps[k] for k in sorted(steps)]
    return specs


def _jitter(value: float, rng: random.Random | None) -> float:
    return value * rng.uniform(0.9, 1.1) if rng is not None and value > 0 else value


def _run_from(
    root_id: str,
    specs: dict[str, _NodeSpec],
    recs: list[_Rec],
    rng: random.Random | None,
    default_timeout: float,
    max_spans: int,
) -> None:
    on_path: dict[str, int] = {}
    stack: list[_Frame] = []

    def open_call(
        spec: _NodeSpec,
        parent: int,
        edge: Edge | None,
        kind: str,
        rel_start: float,
        leaf: bool,
        only: frozenset[str] | None = None,
    ) -> _Frame | None:
        """Allocate the callee's span; return a frame if it has calls to make, else finish it now."""
        if len(recs) >= max_spans:
            raise SimulationError(
                f"the flow expands to more than {max_spans:,} spans",
                [Problem("lower repeat/retries or split the flow", "edges")],
            )
        rec = _Rec(
            parent=parent,
            spec=spec,
            edge=edge,
            kind=kind,
            rel_start=rel_start,
            attributes=dict(spec.attributes),
        )
        recs.append(rec)
        idx = len(recs) - 1
        latency = _jitter(spec.latency, rng)
        if spec.status == "down":
            rec.duration, rec.status = DOWN_MS, "error"
            rec.error = spec.error or "connection refused"
            return None
        if spec.status == "timeout":
            rec.status, rec.error = "error", spec.error or "no response"
            return None  # duration set by the caller when it gives up
        if spec.status == "error" and spec.fail_at == "start":
            rec.duration, rec.status, rec.error = latency, "error", spec.error or "error"
            return None
        steps = spec.calls
        if only is not None:
            steps = [kept for step in steps if (kept := [c for c in step if c.edge.id in only])]
        if leaf or not steps:
            rec.duration = latency
            if spec.status == "error":
                rec.status, rec.error = "error", spec.error or "error"
            return None
        placement = spec.node.self_time or ("before" if spec.broker else "around")
        pre = {"around": latency / 2, "before": latency, "after": 0.0}[placement]
        frame = _Frame(rec=idx, spec=spec, calls=steps, leaf=leaf, pre=pre, post=latency - pre, cursor=pre)
        on_path[spec.node.id] = on_path.get(spec.node.id, 0) + 1
        return frame

    def start_attempt(frame: _Frame) -> _Frame | None:
        call = frame.calls[frame.step_i][frame.call_i]
        callee = specs[call.edge.target]
        if call.fail_attempts is not None and frame.attempt >= call.fail_attempts and callee.status != "ok":
            callee = _healthy(callee)  # this attempt gets through, at the node's usual pace
        if call.mode == "async":
            caller_broker = frame.spec.broker
            kind = "producer" if callee.broker else ("consumer" if caller_broker else callee.kind_in)
        else:
            kind = callee.kind_in
        child = open_call(
            callee,
            frame.rec,
            call.edge,
            kind,
            frame.cursor + frame.call_cursor + call.delay_ms,
            leaf=on_path.get(callee.node.id, 0) > 0,
            only=call.only,
        )
        rec = recs[-1]
        rec.follows = call.mode == "async"
        if call.attributes:
            rec.attributes.update(call.attributes)
        if call.retries:
            rec.attributes["traceplay.attempt"] = frame.attempt + 1
        if call.repeat > 1:
            rec.attributes["traceplay.repeat"] = frame.rep + 1
        return child

    def finish_attempt(frame: _Frame, child_idx: int) -> None:
        """The callee of the current attempt has a duration (or hangs): account for it in the caller."""
        call = frame.calls[frame.step_i][frame.call_i]
        sync = call.mode == "sync"
        child = recs[child_idx]
        caller = recs[frame.rec]
        call_at = frame.cursor + frame.call_cursor
        label = child.spec.node.label or child.spec.node.id
        failed: str | None = None
        if child.duration is None:  # the callee hangs: wait until the caller gives up
            limit = call.timeout_ms if call.timeout_ms is not None else default_timeout
            child.duration = max(limit - call.delay_ms, 0.0)
            if child.error == "no response":
                child.error = f"no response within {limit:g} ms"
            failed = f"{label} timed out after {limit:g} ms"
            wait = limit
            if sync:
                caller.events.append((call_at + limit, "timeout", {"target": label, "timeout_ms": limit}))
        elif sync and call.timeout_ms is not None and call.delay_ms + child.duration > call.timeout_ms:
            failed = f"{label} timed out after {call.timeout_ms:g} ms"
            wait = call.timeout_ms
            child.attributes["traceplay.orphaned"] = True
            caller.events.append((call_at + wait, "timeout", {"target": label, "timeout_ms": wait}))
        else:
            wait = call.delay_ms + child.duration
            if child.status == "error":
                failed = f"{label} failed: {child.cause}" if child.cause else f"{label}: {child.error}"
        frame.call_cursor += wait
        if failed and frame.attempt < call.retries:
            frame.attempt += 1
            frame.call_cursor += call.retry_backoff_ms * call.retry_backoff_multiplier ** (frame.attempt - 1)
            if sync:
                attrs = {"target": label, "attempt": frame.attempt + 1, "reason": failed}
                caller.events.append((frame.cursor + frame.call_cursor, "retry", attrs))
            return
        frame.attempt = 0
        if failed is None:
            frame.rep += 1
            return
        frame.rep = call.repeat  # a failed call ends its repeat loop
        if not sync:
            return  # the caller never waited: nothing propagates
        if call.on_error == "handled":
            caller.events.append((call_at + wait, "error handled", {"target": label, "error": failed}))
        else:
            frame.call_failed = failed
            frame.call_cause = child.cause or failed

    def end_call(frame: _Frame) -> None:
        call = frame.calls[frame.step_i][frame.call_i]
        frame.waits.append(frame.call_cursor if call.mode == "sync" else 0.0)
        if frame.call_failed and frame.failed is None:
            frame.failed, frame.cause = frame.call_failed, frame.call_cause
        frame.call_i += 1
        frame.rep = frame.attempt = 0
        frame.call_cursor = 0.0
        frame.call_failed = None
        if frame.call_i >= len(frame.calls[frame.step_i]):
            frame.cursor += max(frame.waits, default=0.0)
            frame.waits = []
            frame.step_i += 1
            frame.call_i = 0
            if frame.failed is not None:
                frame.step_i = len(frame.calls)  # a failed step ends the node's calls

    def close(frame: _Frame) -> None:
        rec = recs[frame.rec]
        rec.duration = frame.cursor + frame.post
        spec = frame.spec
        if frame.failed is not None:
            rec.status, rec.error = "error", spec.error or frame.failed
            rec.cause = frame.cause
        elif spec.status == "error":
            rec.status, rec.error = "error", spec.error or "error"
        on_path[spec.node.id] -= 1

    root = open_call(specs[root_id], -1, None, _root_kind(specs[root_id]), 0.0, leaf=False)
    if root is None:
        if recs[-1].duration is None:  # a hanging root waits out the default timeout
            recs[-1].duration = default_timeout
        return
    stack.append(root)
    pending: int | None = None  # index of a callee whose result the top frame must take
    while stack:
        frame = stack[-1]
        if pending is not None:
            finish_attempt(frame, pending)
            pending = None
            if frame.attempt == 0 and frame.rep >= frame.calls[frame.step_i][frame.call_i].repeat:
                end_call(frame)
        if frame.step_i >= len(frame.calls):
            close(frame)
            stack.pop()
            pending = frame.rec
            continue
        child = start_attempt(frame)
        if child is None:
            pending = len(recs) - 1
        else:
            stack.append(child)
    # the root's own pending result has no caller: nothing to do


def _healthy(spec: _NodeSpec) -> _NodeSpec:
    """The same node without its fault: what a retry that gets through meets."""
    return _NodeSpec(
        node=spec.node,
        latency=_base_latency(spec.node),
        status="ok",
        error=None,
        fail_at="start",
        attributes=spec.base_attributes,
        base_attributes=spec.base_attributes,
        broker=spec.broker,
        kind_in=spec.kind_in,
        calls=spec.calls,
    )


def _root_kind(spec: _NodeSpec) -> str:
    comp = catalogue.get(spec.node.component)
    return "client" if comp is not None and comp.role == "client" else "server"


def _to_trace(
    flow: Flow, variant: str, trace_id: str, recs: list[_Rec], faults: dict[str, str], seed: int | None
) -> Trace:
    starts: list[float] = [0.0] * len(recs)
    ids = [_span_id(trace_id, i) for i in range(len(recs))]
    spans: list[Span] = []
    for i, rec in enumerate(recs):
        start = rec.rel_start + (starts[rec.parent] if rec.parent >= 0 else 0.0)
        starts[i] = start
        node = rec.spec.node
        edge = rec.edge
        parent_id = ids[rec.parent] if rec.parent >= 0 else None
        events = [
            trusted(SpanEvent, {"time_ms": round(start + t, 3), "name": name, "attributes": attrs})
            for t, name, attrs in rec.events
        ]
        if rec.status == "error":
            events.append(
                trusted(
                    SpanEvent,
                    {
                        "time_ms": round(start + (rec.duration or 0.0), 3),
                        "name": "exception",
                        "attributes": {"exception.message": rec.error or "error"},
                    },
                )
            )
        links = (
            [trusted(SpanLink, {"span_id": parent_id, "trace_id": None, "type": "follows_from"})]
            if rec.follows and parent_id
            else []
        )
        operation = (edge.operation if edge is not None and edge.operation else None) or (
            node.operation if edge is None and node.operation else f"{node.label or node.id}"
        )
        spans.append(
            trusted(
                Span,
                {
                    "span_id": ids[i],
                    "parent_id": parent_id,
                    "node_id": node.id,
                    "edge_id": edge.id if edge is not None else None,
                    "service": node.label or node.id,
                    "component": node.component,
                    "operation": operation,
                    "kind": rec.kind,
                    "start_ms": round(start, 3),
                    "duration_ms": round(rec.duration or 0.0, 3),
                    "status": rec.status,
                    "error": rec.error if rec.status == "error" else None,
                    "attributes": rec.attributes,
                    "events": events,
                    "links": links,
                },
            )
        )
    root = spans[0]
    end = max((s.start_ms + s.duration_ms for s in spans), default=0.0)
    return trusted(
        Trace,
        {
            "trace_id": trace_id,
            "flow": flow.id,
            "variant": variant,
            "response_ms": root.duration_ms,
            "duration_ms": round(end, 3),
            "status": root.status,
            "spans": spans,
            "faults": faults,
            "seed": seed,
        },
    )
