"""``TraceIndex``: one pass over a trace that every rule shares.

Spans become integer positions; parents, children, depths and the response path are plain lists, so
rules stay simple and fast on 100,000 spans. Built for imported traces as much as simulated ones:

- a parent id that is missing makes a root; a span that names itself as parent too;
- a root that links (``follows_from``) to a span of the trace hangs under it as async work (how some
  tracers record a consumer);
- duplicate span ids: references resolve to the first span with the id, every span is still counted;
- parent cycles (corrupt data) are cut where they close;
- clock skew (a child outside its parent) is clamped by the rules that measure time.

Every walk is iterative: chains can be 100,000 spans deep.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from traceplay.domain import catalogue
from traceplay.domain.analysis.text import short
from traceplay.domain.flow import Edge, Flow
from traceplay.domain.trace import Span, Trace

EPS = 1e-6  # times are floats in ms rounded to microseconds: closer than this is "the same time"
T = TypeVar("T")

CACHE_SYSTEMS = frozenset({"redis", "memcached", "valkey", "hazelcast"})
GATE_COMPONENTS = frozenset({"auth", "vault", "feature-flags", "waf"})
HTTP_KEYS = ("http.request.method", "http.method", "url.full", "http.url", "server.address", "peer.service")


class TraceIndex:
    """A trace with its structure worked out once. Rules read it; nothing here changes the trace."""

    def __init__(self, trace: Trace, flow: Flow | None = None, variant: str | None = None) -> None:
        self.trace = trace
        self.flow = flow
        self.variant = variant if variant is not None else trace.variant
        spans = trace.spans
        self.spans: list[Span] = spans
        n = self.n = len(spans)
        self.start: list[float] = [s.start_ms for s in spans]
        self.dur: list[float] = [s.duration_ms for s in spans]
        self.end: list[float] = [a + d for a, d in zip(self.start, self.dur, strict=True)]
        self.failed: list[bool] = [s.status == "error" for s in spans]
        pos: dict[str, int] = {}
        for i, s in enumerate(spans):
            pos.setdefault(s.span_id, i)
        self.pos = pos
        self.parent: list[int] = [-1] * n
        self.asynch: list[bool] = [False] * n  # does not block its parent (follows_from, consumer)
        self._link_parents(pos)
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, p in enumerate(self.parent):
            if p >= 0:
                self.children[p].append(i)
        self._break_cycles()
        start = self.start
        for kids in self.children:
            if len(kids) > 1:
                kids.sort(key=start.__getitem__)  # stable: equal starts keep trace order
        self.roots: list[int] = sorted(
            (i for i in range(n) if self.parent[i] < 0), key=lambda i: (start[i], i)
        )
        self.entry: int = self._entry()
        self.depth: list[int] = [0] * n
        self.order: list[int] = self._preorder()  # root first, children by start; the entry's tree first
        self.rank: list[int] = [0] * n  # position of each span in ``order``
        for r, i in enumerate(self.order):
            self.rank[i] = r
        self.on_path: list[bool] = self._response_path()
        e = self.entry
        self.response_end: float = self.end[e] if e >= 0 else 0.0
        self.response_ms: float = spans[e].duration_ms if e >= 0 else 0.0
        self.trace_end: float = max(self.end, default=0.0)
        self._memo: dict[str, Any] = {}
        self._roles: dict[int, str] = {}  # per-span facts, worked out when first asked for
        self.keys: dict[int, tuple[str, str]] = {}  # call keys (see calls.call_key)

    # -- construction -------------------------------------------------------------------------------

    def _link_parents(self, pos: dict[str, int]) -> None:
        trace_id = self.trace.trace_id
        for i, s in enumerate(self.spans):
            p = pos.get(s.parent_id, -1) if s.parent_id is not None else -1
            if p == i:
                p = -1
            linked = False
            if p < 0 and s.links:
                for link in s.links:
                    j = pos.get(link.span_id, -1)
                    if j >= 0 and j != i and link.trace_id in (None, trace_id):
                        p, linked = j, True
                        break
            if p < 0:
                continue
            self.parent[i] = p
            if linked or s.kind == "consumer":
                self.asynch[i] = True
                continue
            parent_id = self.spans[p].span_id
            for link in s.links:
                if (
                    link.type == "follows_from"
                    and link.span_id == parent_id
                    and link.trace_id in (None, trace_id)
                ):
                    self.asynch[i] = True
                    break

    def _break_cycles(self) -> None:
        """Spans not reachable from a root sit on (or under) a parent cycle: cut each cycle once."""
        reached = [False] * self.n
        self._mark(reached, (i for i in range(self.n) if self.parent[i] < 0))
        for i in range(self.n):
            if reached[i]:
                continue
            seen: set[int] = set()
            j = i
            while j not in seen:  # every unreached span has a parent: walking up must loop
                seen.add(j)
                j = self.parent[j]
            p = self.parent[j]
            self.children[p].remove(j)
            self.parent[j], self.asynch[j] = -1, False
            self._mark(reached, (j,))

    def _mark(self, reached: list[bool], starts: Iterable[int]) -> None:
        stack = list(starts)
        children = self.children
        while stack:
            i = stack.pop()
            reached[i] = True
            stack.extend(children[i])

    def _entry(self) -> int:
        """The span the caller waited on: the earliest true root (no parent id at all), else the earliest
        orphan (a root whose parent is missing from the trace)."""
        if not self.roots:
            return -1
        true_roots = [i for i in self.roots if self.spans[i].parent_id is None]
        return (true_roots or self.roots)[0]

    def _preorder(self) -> list[int]:
        order: list[int] = []
        roots = list(self.roots)
        if self.entry >= 0:
            roots.remove(self.entry)
            roots.insert(0, self.entry)
        depth, children = self.depth, self.children
        stack = list(reversed(roots))
        while stack:
            i = stack.pop()
            order.append(i)
            kids = children[i]
            if kids:
                d = depth[i] + 1
                for c in kids:
                    depth[c] = d
                stack.extend(reversed(kids))
        return order

    def _response_path(self) -> list[bool]:
        """Spans the caller waited for: the entry's tree without async subtrees (and other roots).
        In pre-order a parent comes before its children: one pass decides every span."""
        on = [False] * self.n
        if self.entry < 0:
            return on
        on[self.entry] = True
        parent, asynch = self.parent, self.asynch
        for i in self.order:
            p = parent[i]
            if p >= 0 and on[p] and not asynch[i]:
                on[i] = True
        return on

    # -- queries ------------------------------------------------------------------------------------

    def memo(self, key: str, compute: Callable[[TraceIndex], T]) -> T:
        """A result computed once per index and shared by every rule that needs it."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        value: T = self._memo[key]
        return value

    def sid(self, i: int) -> str:
        return self.spans[i].span_id

    def sync_children(self, i: int) -> list[int]:
        return [c for c in self.children[i] if not self.asynch[c]]

    def duration(self, i: int) -> float:
        return self.dur[i]

    def name(self, i: int) -> str:
        """Who did the work: the service, else the operation."""
        s = self.spans[i]
        return s.service or short(s.operation, 40) or s.span_id

    def call(self, i: int) -> str:
        """The service and what it did: ``PostgreSQL (SELECT user WHERE email = $1)``."""
        s = self.spans[i]
        op = short(s.operation, 48)
        if not s.service:
            return op or s.span_id
        return f"{s.service} ({op})" if op and op != s.service else s.service

    def error_text(self, i: int) -> str:
        s = self.spans[i]
        return short(s.error or "error", 120)

    def node_ids(self, idxs: Iterable[int]) -> list[str]:
        seen: dict[str, None] = {}
        for i in idxs:
            nid = self.spans[i].node_id
            if nid is not None:
                seen.setdefault(nid, None)
        return list(seen)

    def by_start(self, idxs: Iterable[int]) -> list[int]:
        start = self.start
        return sorted(set(idxs), key=lambda i: (start[i], i))

    # -- what a span is -----------------------------------------------------------------------------

    def role(self, i: int) -> str:
        """client | proxy | service | function | store | broker | external: from the catalogue when the
        span names a component, else inferred from semantic-convention attributes and shape."""
        role = self._roles.get(i)
        if role is None:
            role = self._roles[i] = _role(self, i)
        return role

    def is_cache(self, i: int) -> bool:
        return _is_cache(self.spans[i])

    def is_llm(self, i: int) -> bool:
        s = self.spans[i]
        if s.component is not None and s.component in catalogue.BY_ID:  # the catalogue knows
            return s.component == "llm-api"
        return bool(s.attributes) and any(k.startswith("gen_ai.") for k in s.attributes)

    def is_gate(self, i: int) -> bool:
        """A call whose answer decides what happens next (auth, secrets, flags, a cache lookup)."""
        return self.spans[i].component in GATE_COMPONENTS or self.is_cache(i)

    def edge(self, i: int) -> Edge | None:
        """The flow edge this span's call came through, when the flow is known."""
        eid = self.spans[i].edge_id
        if self.flow is None or eid is None:
            return None
        edges: dict[str, Edge] = self.memo(
            "edges", lambda ix: {e.id: e for e in ix.flow.edges} if ix.flow else {}
        )
        return edges.get(eid)

    def edge_timeout(self, i: int) -> float | None:
        """The timeout the flow sets on this span's call (the variant's override first), or None."""
        edge = self.edge(i)
        if edge is None or self.flow is None:
            return None
        variant = self.flow.variants.get(self.variant or "")
        override = variant.edges.get(edge.id) if variant is not None else None
        if override is not None and override.timeout_ms is not None:
            return override.timeout_ms
        return edge.timeout_ms

    def has_circuit_breaker(self, i: int) -> bool:
        """Evidence of a circuit breaker around the call into span ``i``: an attribute naming one on the
        span or its caller, or on the flow edge."""
        spans = [self.spans[i]]
        if self.parent[i] >= 0:
            spans.append(self.spans[self.parent[i]])
        keys = [k for s in spans for k in s.attributes]
        edge = self.edge(i)
        if edge is not None:
            keys.extend(edge.attributes)
        return any("circuit" in k.lower() or "breaker" in k.lower() for k in keys)


def _is_cache(s: Span) -> bool:
    if s.component == "redis":
        return True
    if not s.attributes:
        return False
    if "cache.hit" in s.attributes:  # an edge cache (a CDN) says so too
        return True
    if s.component is not None and s.component in catalogue.BY_ID:
        return False
    system = s.attributes.get("db.system.name", s.attributes.get("db.system"))
    return isinstance(system, str) and system.lower() in CACHE_SYSTEMS


def _role(ix: TraceIndex, i: int) -> str:
    s = ix.spans[i]
    comp = catalogue.get(s.component) if s.component else None
    if comp is not None:
        return comp.role
    attrs = s.attributes
    if "db.system" in attrs or "db.system.name" in attrs:
        return "store"
    if "messaging.system" in attrs and s.kind == "producer":
        return "broker"
    if ix.is_llm(i):
        return "external"
    if s.kind == "client" and not ix.children[i]:
        # a client call whose callee left no span: a third party, or a service we cannot see
        return "external" if any(k in attrs for k in HTTP_KEYS) or not attrs else "service"
    return "service"
