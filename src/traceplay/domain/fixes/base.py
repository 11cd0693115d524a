"""What a fix is, the evidence it reads, and the tools it edits a flow with.

A ``Fix`` is a small frozen record in the registry (``fixes/__init__.py``): an id, a title, what it
claims to change, the finding topics it answers, ``find`` (the places in a flow where the trace shows it
would help: ``Candidate``s) and ``apply`` (a flow and a target in, a NEW flow out). ``Scene`` is the
evidence every ``find`` shares: the flow, the trace and its analysis, the calls made through each edge,
and each edge as the trace's variant sees it. ``Editor`` is a fresh copy of a flow that fixes change
and then ``finish`` — which re-validates the result with ``parse_flow``, so a fix can never hand out an
invalid flow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from traceplay.domain import catalogue
from traceplay.domain.analysis import text
from traceplay.domain.analysis.model import Analysis
from traceplay.domain.flow import (
    VARIANT_NAMES,
    Edge,
    EdgeOverride,
    Flow,
    Limits,
    Node,
    NodeOverride,
    Variant,
    edge_mode,
    parse_flow,
)
from traceplay.domain.simulate import resolve_variant, simulate, slow_latency
from traceplay.domain.trace import Span, Trace
from traceplay.errors import FlowError, Problem

TIMEOUT_WORDS = re.compile(r"time[d ]?\s?out|deadline|no response", re.IGNORECASE)
# an answer, not a glitch: retrying it or opening a breaker on it would not help
REFUSAL_WORDS = re.compile(
    r"\b4\d\d\b|forbidden|unauthori[sz]ed|denied|blocked|invalid|declined|not found|rate.?limit|too many"
    r"|conflict|validation|circuit open",
    re.IGNORECASE,
)
OWN_SHARE = 0.5  # a call is slow "by itself" when its callee's own work is at least this share of it
WRITE_WORDS = frozenset(
    {
        "insert", "update", "upsert", "delete", "merge", "create", "drop", "alter", "put", "post", "patch",
        "set", "setex", "setnx", "hset", "del", "append", "publish", "send", "write", "incr", "push",
        "charge", "refund", "cancel", "reserve", "apply",
    }
)  # fmt: skip
GATES = frozenset({"auth", "vault", "feature-flags", "waf", "redis"})  # their answer decides what comes next
PAYMENT = frozenset({"stripe"})
FIXED_SUFFIX = "-fixed"
FIXED_NAME = " (fixed)"
MAX_ID = 100
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


class FixTarget(BaseModel):
    """Where a fix applies: the edges it changes and the nodes it is about."""

    model_config = ConfigDict(extra="forbid")

    edges: list[str] = Field(default_factory=list, max_length=100)
    nodes: list[str] = Field(default_factory=list, max_length=100)


class FixOffer(BaseModel):
    """A fix the learner can apply, and the finding it answers."""

    model_config = ConfigDict(extra="forbid")

    fix_id: str
    title: str
    claim: str = Field(description="what the fix should change when the flow is run again")
    target: FixTarget
    finding_id: str | None = Field(description="the finding of the analysis this fix answers")


@dataclass(frozen=True)
class Candidate:
    """One place a fix would help, with the evidence (spans) and the subject nodes it is about."""

    target: FixTarget
    title: str
    claim: str
    spans: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)

    @classmethod
    def on_edge(cls, edge: Edge, title: str, claim: str, spans: list[str]) -> Candidate:
        """A fix of one call: it targets the edge and both its ends, and is about the callee."""
        return cls(
            target=FixTarget(edges=[edge.id], nodes=[edge.source, edge.target]),
            title=title,
            claim=claim,
            spans=spans,
            subjects=[edge.target],
        )


@dataclass(frozen=True)
class Fix:
    id: str
    title: str
    claim: str
    answers: frozenset[str]  # finding topics (see analysis.scenario.TOPIC_WORDS) this fix answers
    find: Callable[[Scene], list[Candidate]]
    apply: Callable[[Flow, FixTarget], Flow]


# -- words ----------------------------------------------------------------------------------------------


def words(operation: str) -> list[str]:
    """``S3.PutObject`` -> ``["s", "3", "put", "object"]``; ``INSERT INTO`` -> ``["insert", "into"]``."""
    return [w.lower() for w in _WORD.findall(operation)]


def is_write(operation: str) -> bool:
    """Does the operation change something? Its first two words name the verb in every convention we
    meet: ``POST /charges``, ``INSERT INTO``, ``messages.insertOne``, ``PutItem``, ``SETEX``."""
    head = [w for w in words(operation) if not w.isdigit()][:2]
    return any(w in WRITE_WORDS for w in head)


def nice_ms(value: float) -> float:
    """The first round number at or above ``value``: 1, 1.5, 2, 3, 5, 7.5 × 10ⁿ ms."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 3, 5, 7.5, 10):
        if step * power >= value - 1e-9:
            return float(step * power)
    return float(10 * power)


def label(node: Node) -> str:
    return node.label or node.id


def role(node: Node) -> str:
    comp = catalogue.get(node.component)
    return comp.role if comp is not None else "service"


# -- evidence -------------------------------------------------------------------------------------------


class Scene:
    """A flow, one trace of it and its analysis, worked out for the fixes' ``find``."""

    def __init__(self, flow: Flow, trace: Trace, analysis: Analysis) -> None:
        self.flow = flow
        self.trace = trace
        self.analysis = analysis
        self.variant = trace.variant or "success"
        self.nodes = flow.node_map()
        self.edges = {e.id: e for e in flow.edges}
        self.outgoing: dict[str, list[Edge]] = {}
        self.incoming: dict[str, list[Edge]] = {}
        for e in flow.edges:
            self.outgoing.setdefault(e.source, []).append(e)
            self.incoming.setdefault(e.target, []).append(e)
        authored = flow.variants.get(self.variant)
        self.overrides: dict[str, EdgeOverride] = dict(authored.edges) if authored is not None else {}
        self.calls: dict[str, list[Span]] = {}
        for s in trace.spans:
            if s.edge_id is not None and s.edge_id in self.edges:
                self.calls.setdefault(s.edge_id, []).append(s)
        root = next((s for s in trace.spans if s.parent_id is None), trace.spans[0] if trace.spans else None)
        self.response_ms = trace.response_ms
        self.root = root
        self._healthy: dict[str, float] | None = None
        self._children: dict[str, list[Span]] | None = None
        self._modes: dict[str, str] = {}

    def mode(self, edge: Edge) -> str:
        mode = self._modes.get(edge.id)
        if mode is None:
            mode = self._modes[edge.id] = edge_mode(edge, self.nodes)
        return mode

    def taken(self, edge: Edge) -> bool:
        """Is the edge part of this variant (not limited to other variants, not skipped)?"""
        ov = self.overrides.get(edge.id)
        return (edge.variants is None or self.variant in edge.variants) and not (ov is not None and ov.skip)

    def value(self, edge: Edge, name: str) -> Any:
        """An edge's setting as this variant sees it (the override first)."""
        ov = self.overrides.get(edge.id)
        v = getattr(ov, name) if ov is not None else None
        return v if v is not None else getattr(edge, name)

    def out_edges(self, node_id: str) -> list[Edge]:
        return self.outgoing.get(node_id, [])

    def failed(self, edge: Edge) -> list[Span]:
        """Calls through the edge that failed, or that the caller gave up on."""
        return [s for s in self.calls.get(edge.id, []) if failed_call(s)]

    def kids(self, span: Span) -> list[Span]:
        if self._children is None:
            self._children = {}
            for s in self.trace.spans:
                if s.parent_id is not None:
                    self._children.setdefault(s.parent_id, []).append(s)
        return self._children.get(span.span_id, [])

    def sync_kids(self, span: Span) -> list[Span]:
        return [c for c in self.kids(span) if c.kind != "consumer" and not c.links]

    def origin_failures(self, edge: Edge) -> list[Span]:
        """Failed calls through the edge that failed by themselves (no failing sync call under them)
        and not with a refusal (403, 429, declined ...): where a retry or a breaker belongs."""
        out = []
        for s in self.failed(edge):
            if REFUSAL_WORDS.search(s.error or ""):
                continue
            if s.status == "error" and any(failed_call(c) for c in self.sync_kids(s)):
                continue  # it failed because a call under it did: the fix belongs there
            out.append(s)
        return out

    def own_ms(self, span: Span) -> float:
        """The span's duration minus the time its calls cover: the callee's own work."""
        covered, cursor, end = 0.0, span.start_ms, span.end_ms
        for c in sorted(self.kids(span), key=lambda k: k.start_ms):
            cs, ce = max(c.start_ms, cursor), min(c.end_ms, end)
            if ce > cs:
                covered += ce - cs
                cursor = ce
        return max(0.0, span.duration_ms - covered)

    def slow_by_itself(self, span: Span) -> bool:
        return self.own_ms(span) >= OWN_SHARE * span.duration_ms

    def hung(self, edge: Edge) -> list[Span]:
        return [s for s in self.calls.get(edge.id, []) if TIMEOUT_WORDS.search(s.error or "")]

    def longest(self, edge: Edge) -> float:
        return max((s.duration_ms for s in self.calls.get(edge.id, [])), default=0.0)

    def weighty(self, edge: Edge, share: float = 0.2, floor_ms: float = 100.0) -> bool:
        """Do the calls through the edge cost at least ``floor_ms`` and ``share`` of the response?"""
        total = sum(s.duration_ms for s in self.calls.get(edge.id, []))
        return total >= floor_ms and total >= share * self.response_ms

    def healthy(self, edge: Edge) -> float:
        """The longest call through the edge in the success variant (the callee's latency if the edge
        is not taken there)."""
        if self._healthy is None:
            self._healthy = healthy_times(self.flow)
        found = self._healthy.get(edge.id)
        return found if found is not None else latency_of(self.nodes.get(edge.target))

    def name(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return label(node) if node is not None else node_id

    def hop(self, edge: Edge) -> str:
        return f"{self.name(edge.source)} → {self.name(edge.target)}"

    def span_ids(self, spans: Iterable[Span]) -> list[str]:
        return [s.span_id for s in spans]


def failed_call(span: Span) -> bool:
    return span.status == "error" or span.attributes.get("traceplay.orphaned") is True


def healthy_times(flow: Flow) -> dict[str, float]:
    """The longest call through each edge in the success variant: what a healthy call costs."""
    out: dict[str, float] = {}
    trace = simulate(flow, "success")
    for s in trace.spans:
        if s.edge_id is not None:
            out[s.edge_id] = max(out.get(s.edge_id, 0.0), s.duration_ms)
    return out


def healthy_ms(flow: Flow, edge: Edge) -> float:
    found = healthy_times(flow).get(edge.id)
    return found if found is not None else latency_of(flow.node_map().get(edge.target))


def latency_of(node: Node | None) -> float:
    """A node's own latency: as written, else its component's default."""
    if node is None:
        return 10.0
    if node.latency_ms is not None:
        return node.latency_ms
    comp = catalogue.get(node.component)
    return comp.latency_ms if comp is not None else 10.0


def suggested_timeout(healthy_ms: float) -> float:
    """Three times the healthy latency (at least 50 ms more), rounded up: near a p99, not a round 30 s."""
    return nice_ms(max(3 * healthy_ms, healthy_ms + 50.0, 10.0))


# -- editing --------------------------------------------------------------------------------------------


class Editor:
    """A fresh copy of a flow to change: generated variants made explicit, ids and names marked fixed."""

    def __init__(self, flow: Flow) -> None:
        self.original = flow
        self.flow = flow.model_copy(deep=True)
        materialize(self.flow)
        f = self.flow
        if not f.id.endswith(FIXED_SUFFIX):
            f.id = f.id[: MAX_ID - len(FIXED_SUFFIX)] + FIXED_SUFFIX
        if not f.name.endswith(FIXED_NAME):
            f.name = f.name[: 200 - len(FIXED_NAME)] + FIXED_NAME

    def edge(self, edge_id: str, where: str = "target.edges") -> Edge:
        for e in self.flow.edges:
            if e.id == edge_id:
                return e
        raise FlowError(
            f"edge '{edge_id}' is not in the flow", [Problem("no such edge", where, edge_id=edge_id)]
        )

    def sync_edge(self, edge_id: str, fix_id: str) -> Edge:
        edge = self.edge(edge_id)
        if edge_mode(edge, self.flow.node_map()) != "sync":
            raise not_applicable(fix_id, f"'{edge_id}' is asynchronous: nobody waits on it", edge_id)
        return edge

    def node(self, node_id: str) -> Node:
        for n in self.flow.nodes:
            if n.id == node_id:
                return n
        raise FlowError(f"node '{node_id}' is not in the flow", [Problem("no such node", "target", node_id)])

    def new_id(self, base: str) -> str:
        taken = {n.id for n in self.flow.nodes} | {e.id for e in self.flow.edges}
        base = base[:90]
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def variant_names(self) -> list[str]:
        return list(dict.fromkeys([*VARIANT_NAMES, *self.flow.variants]))

    def variant(self, name: str) -> Variant:
        return self.flow.variants.setdefault(name, Variant(title=name.capitalize()))

    def node_override(self, variant: str, node_id: str) -> NodeOverride:
        return self.variant(variant).nodes.setdefault(node_id, NodeOverride())

    def edge_override(self, variant: str, edge_id: str) -> EdgeOverride:
        return self.variant(variant).edges.setdefault(edge_id, EdgeOverride())

    def shift_steps(self, source: str, from_step: int, by: int, keep: Iterable[str] = ()) -> None:
        """Make room: every edge out of ``source`` at ``from_step`` or later moves ``by`` steps."""
        kept = set(keep)
        for e in self.flow.edges:
            if e.source == source and e.step >= from_step and e.id not in kept:
                e.step += by

    def add_node(
        self,
        near: Node,
        id_base: str,
        component: str,
        node_label: str,
        latency_ms: float | None,
        *,
        dy: float = -110.0,
        attributes: dict[str, str | int | float | bool] | None = None,
    ) -> Node:
        """A new node placed ``dy`` pixels above (negative) or below ``near``, with a free id."""
        node = Node(
            id=self.new_id(id_base),
            component=component,
            label=node_label,
            x=near.x,
            y=near.y + dy,
            latency_ms=latency_ms,
            attributes=attributes or {},
        )
        self.flow.nodes.append(node)
        return node

    def finish(self, note: str) -> Flow:
        """The edited flow, its description saying what changed, validated as any posted flow would be."""
        f = self.flow
        line = f"Fixed: {note}."
        if len(f.description) + len(line) + 1 <= 5000:
            f.description = f"{f.description}\n{line}".strip()
        limits = Limits(
            max_nodes=max(20_000, len(self.flow.nodes)), max_edges=max(100_000, len(self.flow.edges))
        )
        return parse_flow(self.flow.model_dump(mode="json", exclude_none=False), limits=limits, source="fix")


def materialize(flow: Flow) -> None:
    """Write the generated variants (success/slow/error of a flow that does not author them) into the
    flow as authored ones, faults included, so a fix can add overrides without losing the fault."""
    nodes = flow.node_map()
    for name in VARIANT_NAMES:
        if name in flow.variants:
            continue
        variant, faults = resolve_variant(flow, name)
        for nid, kind in faults.items():
            node = nodes[nid]
            if kind == "slow":
                variant.nodes[nid] = NodeOverride(latency_ms=slow_latency(latency_of(node)))
            elif kind == "error":
                variant.nodes[nid] = NodeOverride(status="error", error="injected error")
            else:
                variant.nodes[nid] = NodeOverride(status=kind)
        flow.variants[name] = variant


def require_edge(scene_flow: Flow, target: FixTarget, fix_id: str, count: int = 1) -> list[str]:
    """The target's edges, checked: at least ``count`` of them, each in the flow."""
    ids = {e.id for e in scene_flow.edges}
    if len(target.edges) < count:
        raise FlowError(
            f"the fix '{fix_id}' needs {text.count(count, 'edge')} in its target",
            [Problem(f"give at least {count} edge id(s)", "target.edges")],
        )
    for i, eid in enumerate(target.edges):
        if eid not in ids:
            raise FlowError(
                f"edge '{eid}' is not in the flow",
                [Problem("no such edge", f"target.edges[{i}]", edge_id=eid)],
            )
    return list(target.edges)


def not_applicable(fix_id: str, reason: str, edge_id: str | None = None) -> FlowError:
    return FlowError(
        f"the fix '{fix_id}' does not apply here: {reason}",
        [Problem(reason, "target.edges" if edge_id else "target", edge_id=edge_id)],
    )
