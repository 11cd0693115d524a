"""Any trace on the canvas: the service graph of a trace as a Flow.

``flow_from_trace(trace)`` derives an architecture from the calls the spans record:

- **nodes**: one per service. A client or producer span that calls something outside the trace (a
  database, a broker, a third-party API named by ``peer.service``, ``db.system``, ``server.address``
  ...) gets a node for that peer, as Tempo's and Jaeger's service graphs draw "virtual" nodes.
  Spans from traceplay keep their node ids. The component is guessed (``formats.components``).
- **edges**: one per caller → callee pair (per ``traceplay.edge_id`` when spans name one), with the
  operations seen, ``async`` when the callee is a producer/consumer or follows from its caller,
  ``step`` from start order (calls that overlap share a step), ``repeat`` when one span calls the
  same peer several times in a row, ``on_error: handled`` when a failure did not fail the caller.
- a call back into a service already upstream (A → B → A) would be a cycle, which a flow may not
  have: the second visit gets its own node ("A #2").
- **layout**: left to right in layers (longest call path from the entry), x/y the centres of
  160×64 boxes, columns 240 px apart, rows 120 px.

``stamp_trace(trace)`` also writes each span's ``node_id`` / ``edge_id`` (and a missing
``component``) so the canvas can light the nodes up as the trace plays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from traceplay.domain.flow import MAX_LATENCY_MS, Flow, Limits, parse_flow
from traceplay.domain.trace import Span, Trace
from traceplay.formats.components import Evidence, guess

COLUMN_PX = 240
ROW_PX = 120
BOX_W, BOX_H = 160, 64
MARGIN_X, MARGIN_Y = 40 + BOX_W // 2, 40 + BOX_H // 2
PEER_KEYS = ("peer.service", "server.address", "net.peer.name", "db.namespace", "db.name")
MAX_OPERATIONS = 6
EVIDENCE_SPANS = 20  # the attributes of a node's first spans are enough to guess its component
ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


@dataclass
class _Node:
    key: str
    copy: int
    label: str
    evidence: Evidence
    first_ms: float
    self_ms: list[float] = field(default_factory=list)
    node_id: str | None = None  # the id the spans asked for
    samples: int = 0  # spans whose attributes went into the evidence
    id: str = ""


@dataclass
class _Edge:
    source: int
    target: int
    edge_id: str | None
    first_ms: float
    first_end_ms: float
    operations: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    async_calls: int = 0
    errors: int = 0
    handled: int = 0
    repeat: int = 1
    id: str = ""


@dataclass
class _Graph:
    nodes: list[_Node] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)
    span_node: list[int] = field(default_factory=list)
    span_edge: list[int] = field(default_factory=list)  # -1: no edge (a root or an internal span)
    entry: int = -1  # index of the entry root span


def _peer(span: Span) -> str | None:
    attrs = span.attributes
    for key in PEER_KEYS:
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    for key in ("db.system.name", "db.system", "messaging.destination.name", "messaging.system"):
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _key(span: Span, leaves_service: bool) -> tuple[str, str]:
    """(node key, label) of the node a span belongs to."""
    if span.node_id:
        return "n:" + span.node_id, span.service
    if span.kind in ("client", "producer") and leaves_service:
        peer = _peer(span)
        if peer is not None:
            return "p:" + peer, peer
    return "s:" + span.service, span.service


def _reaches(adjacency: dict[int, set[int]], start: int, goal: int) -> bool:
    seen = {start}
    stack = [start]
    while stack:
        n = stack.pop()
        if n == goal:
            return True
        for m in adjacency.get(n, ()):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return False


def _self_time(span: Span, children: list[Span]) -> float:
    """The span's duration minus the time its calls cover (overlaps counted once)."""
    covered = 0.0
    cursor = span.start_ms
    end = span.end_ms
    for child in children:  # in start order
        lo, hi = max(child.start_ms, cursor), min(child.end_ms, end)
        if hi > lo:
            covered += hi - lo
            cursor = hi
    return max(span.duration_ms - covered, 0.0)


def _derive(trace: Trace) -> _Graph:
    spans = trace.spans
    index = {id(s): i for i, s in enumerate(spans)}
    kids = trace.children()
    for lst in kids.values():
        lst.sort(key=lambda s: s.start_ms)
    g = _Graph(span_node=[-1] * len(spans), span_edge=[-1] * len(spans))
    primary: dict[str, list[int]] = {}  # node key -> node indexes (copies)
    adjacency: dict[int, set[int]] = {}
    edge_of: dict[tuple[int, int, str | None], int] = {}
    resolved: dict[tuple[int, str], int] = {}  # (caller node, callee key) -> callee node
    entry = kids[None][0] if None in kids else None  # the earliest root

    def node_for(key: str, label: str, span: Span, avoid: int | None) -> int:
        """The node of ``key`` to call from ``avoid`` (a copy when the edge would close a cycle)."""
        copies = primary.setdefault(key, [])
        for n in copies:
            if avoid is None or not _reaches(adjacency, n, avoid):
                return n
        ev = Evidence(label=label)
        g.nodes.append(_Node(key, len(copies), label, ev, span.start_ms, node_id=span.node_id))
        copies.append(len(g.nodes) - 1)
        return len(g.nodes) - 1

    # iterative depth-first walk: parents are placed before their children
    stack: list[tuple[Span, int]] = [(s, -1) for s in reversed(kids.get(None, []))]
    seen: set[int] = set()
    calls_under: dict[tuple[int, int], list[float]] = {}  # (parent span, edge) -> [count, last end, overlap]
    while stack:
        span, parent_i = stack.pop()
        i = index[id(span)]
        if i in seen:  # a duplicated span id listed twice
            continue
        seen.add(i)
        children = kids.get(span.span_id, [])
        service = span.service
        leaves = True
        for c in children:
            if c.service != service:
                leaves = span.kind == "producer"
                break
        key, label = _key(span, leaves)
        if parent_i < 0:
            n = node_for(key, label, span, None)
        else:
            parent_node = g.span_node[parent_i]
            pnode = g.nodes[parent_node]
            if pnode.key == key:
                n = parent_node
            else:
                found = resolved.get((parent_node, key))
                if found is None:
                    found = resolved[(parent_node, key)] = node_for(key, label, span, parent_node)
                n = found
                parent = spans[parent_i]
                ekey = (parent_node, n, span.edge_id)
                e = edge_of.get(ekey)
                if e is None:
                    g.edges.append(_Edge(parent_node, n, span.edge_id, span.start_ms, span.end_ms))
                    e = edge_of[ekey] = len(g.edges) - 1
                    adjacency.setdefault(parent_node, set()).add(n)
                edge = g.edges[e]
                if span.start_ms < edge.first_ms:
                    edge.first_ms, edge.first_end_ms = span.start_ms, span.end_ms
                edge.calls += 1
                edge.operations[span.operation] = edge.operations.get(span.operation, 0) + 1
                follows = any(k.span_id == parent.span_id and k.type == "follows_from" for k in span.links)
                if follows or span.kind in ("producer", "consumer"):
                    edge.async_calls += 1
                if span.status == "error":
                    edge.errors += 1
                    edge.handled += parent.status == "ok"
                run = calls_under.get((parent_i, e))
                if run is None:
                    calls_under[(parent_i, e)] = [1, span.end_ms, 0]
                else:
                    run[0] += 1
                    run[2] = run[2] or span.start_ms < run[1] - 1e-9
                    run[1] = span.end_ms
                    if not run[2]:
                        edge.repeat = max(edge.repeat, int(run[0]))
                g.span_edge[i] = e
        g.span_node[i] = n
        node = g.nodes[n]
        if span.start_ms < node.first_ms:
            node.first_ms = span.start_ms
        ev = node.evidence
        if node.samples < EVIDENCE_SPANS and (
            span.kind not in ("client", "producer") or key.startswith("p:") or not ev.attributes
        ):
            node.samples += 1
            for k, v in span.attributes.items():
                ev.attributes.setdefault(k, v)
        ev.kinds.add(span.kind)
        if span.component and not ev.declared:
            ev.declared = span.component
        if span is entry:
            ev.entry_kind = span.kind
            g.entry = i
        node.self_ms.append(_self_time(span, children))
        if children:
            stack.extend([(c, i) for c in reversed(children)])
    return g


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.:-]+", "-", text).strip("-_.:")[:90]
    return slug or "node"


def _assign_ids(g: _Graph) -> None:
    used: set[str] = set()

    def unique(base: str) -> str:
        candidate, n = base, 2
        while candidate in used:
            candidate = f"{base}-{n}"
            n += 1
        used.add(candidate)
        return candidate

    for node in g.nodes:
        wanted = node.node_id if node.node_id and ID_OK.match(node.node_id) and node.copy == 0 else None
        node.id = unique(wanted or _slug(node.label.lower()))
    for edge in g.edges:
        wanted = edge.edge_id if edge.edge_id and ID_OK.match(edge.edge_id) else None
        if wanted is None or wanted in used:
            wanted = _slug(f"{g.nodes[edge.source].id}-to-{g.nodes[edge.target].id}")
        edge.id = unique(wanted)


def _steps(g: _Graph) -> dict[int, int]:
    """Edges out of one node, in start order: an edge that starts before the earlier ones have
    ended runs in parallel with them (same step); otherwise it opens the next step."""
    steps: dict[int, int] = {}
    by_source: dict[int, list[int]] = {}
    for e, edge in enumerate(g.edges):
        by_source.setdefault(edge.source, []).append(e)
    for edges in by_source.values():
        edges.sort(key=lambda e: g.edges[e].first_ms)
        step, group_end = 0, None
        for e in edges:
            edge = g.edges[e]
            if group_end is not None and edge.first_ms >= group_end - 1e-9:
                step += 1
                group_end = None
            group_end = edge.first_end_ms if group_end is None else max(group_end, edge.first_end_ms)
            steps[e] = step
    return steps


def _layout(g: _Graph) -> list[tuple[float, float]]:
    """Layers by longest path from the sources (the graph is acyclic), rows by the parents' rows."""
    n = len(g.nodes)
    incoming = [0] * n
    out: dict[int, list[int]] = {}
    parents: dict[int, list[int]] = {}
    for edge in g.edges:
        incoming[edge.target] += 1
        out.setdefault(edge.source, []).append(edge.target)
        parents.setdefault(edge.target, []).append(edge.source)
    layer = [0] * n
    queue = [i for i in range(n) if incoming[i] == 0]
    for node in queue:  # Kahn's order; the list grows while we walk it
        for t in out.get(node, []):
            layer[t] = max(layer[t], layer[node] + 1)
            incoming[t] -= 1
            if incoming[t] == 0:
                queue.append(t)
    rows: dict[int, list[int]] = {}
    for i in sorted(range(n), key=lambda i: (layer[i], g.nodes[i].first_ms)):
        rows.setdefault(layer[i], []).append(i)
    row_of = [0] * n
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    for col in sorted(rows):
        members = rows[col]
        if col > 0:

            def centre(i: int) -> tuple[float, float]:
                ps = parents.get(i, [])
                return (sum(row_of[p] for p in ps) / len(ps) if ps else 0.0, g.nodes[i].first_ms)

            members.sort(key=centre)
        for r, i in enumerate(members):
            row_of[i] = r
            pos[i] = (float(MARGIN_X + col * COLUMN_PX), float(MARGIN_Y + r * ROW_PX))
    return pos


def _operation(edge: _Edge) -> str:
    ops = sorted(edge.operations.items(), key=lambda kv: -kv[1])
    text = " · ".join(op for op, _ in ops[:MAX_OPERATIONS] if op)
    if len(ops) > MAX_OPERATIONS:
        text += f" (+{len(ops) - MAX_OPERATIONS} more)"
    return text[:500]


def _flow(trace: Trace, g: _Graph) -> Flow:
    _assign_ids(g)
    steps = _steps(g)
    pos = _layout(g)
    nodes: list[dict[str, Any]] = []
    entry_node = g.span_node[g.entry] if g.entry >= 0 else -1
    for i, node in enumerate(g.nodes):
        latency = sum(node.self_ms) / len(node.self_ms) if node.self_ms else 0.0
        doc: dict[str, Any] = {
            "id": node.id,
            "component": guess(node.evidence),
            "label": (node.label if node.copy == 0 else f"{node.label} #{node.copy + 1}")[:200],
            "x": pos[i][0],
            "y": pos[i][1],
            "latency_ms": round(min(latency, MAX_LATENCY_MS), 3),
        }
        if i == entry_node:
            doc["operation"] = trace.spans[g.entry].operation[:500]
        nodes.append(doc)
    edges = []
    for e, edge in enumerate(g.edges):
        doc = {
            "id": edge.id,
            "source": g.nodes[edge.source].id,
            "target": g.nodes[edge.target].id,
            "operation": _operation(edge),
            "mode": "async" if edge.async_calls * 2 > edge.calls else "sync",
            "step": steps[e],
        }
        if edge.repeat > 1:
            doc["repeat"] = min(edge.repeat, 10_000)
        if edge.errors and edge.handled == edge.errors:
            doc["on_error"] = "handled"
        edges.append(doc)
    root = trace.spans[g.entry] if g.entry >= 0 else None
    services = len({s.service for s in trace.spans})
    title = f"{root.service}: {root.operation}" if root else "empty trace"
    data = {
        "id": f"imported-{trace.trace_id[:12]}",
        "name": f"Imported — {title}"[:200],
        "description": (
            f"The service graph of trace {trace.trace_id}: {len(trace.spans):,} spans across {services} "
            "services, derived from who called whom. Components are guessed from the spans' attributes."
        ),
        "category": "imported",
        "entry": nodes[entry_node]["id"] if entry_node >= 0 else None,
        "nodes": nodes,
        "edges": edges,
    }
    return parse_flow(
        data, limits=Limits(max_nodes=max(20_000, len(nodes)), max_edges=max(100_000, len(edges)))
    )


def flow_from_trace(trace: Trace) -> Flow:
    """The service graph of a trace as a valid Flow (the trace is not changed)."""
    return _flow(trace, _derive(trace))


def stamp_trace(trace: Trace) -> Flow:
    """The service graph of a trace; also sets each span's ``node_id`` and ``edge_id`` (in place) to
    that flow's, and ``component`` where the span had none."""
    g = _derive(trace)
    flow = _flow(trace, g)
    components = {n.id: n.component for n in flow.nodes}
    node_ids = [n.id for n in g.nodes]
    edge_ids = [e.id for e in g.edges]
    for i, span in enumerate(trace.spans):
        node_id = node_ids[g.span_node[i]]
        e = g.span_edge[i]
        # plain field writes: the values are valid by construction (and 100,000 spans are common)
        fields = span.__dict__
        fields["node_id"] = node_id
        fields["edge_id"] = edge_ids[e] if e >= 0 else None
        if fields["component"] is None:
            fields["component"] = components[node_id]
    return flow
