"""Add a read replica: a caller's reads of a database go to a replica; writes stay on the primary.

Offered for synchronous reads of a relational or document database that fail, hang or repeat. Applied,
a replica node (same component) joins the flow and the read edge points at it. Availability is per
instance, so the primary's failures in the variants (down, timeout, error) stay with the primary; the
query is the same, so its cost (the latency overrides) is copied to the replica. Re-run, reads survive a
failing primary — and a slow query stays exactly as slow: a replica adds capacity, not speed.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    Candidate,
    Editor,
    Fix,
    FixTarget,
    Scene,
    is_write,
    label,
    not_applicable,
    require_edge,
)
from traceplay.domain.flow import Edge, Flow, Node, NodeOverride

DATABASES = frozenset({"postgresql", "mongodb"})
REPEATS = 3
LAG_MS = 100  # typical asynchronous replication lag, recorded on the replica's spans


def _is_replica(node: Node) -> bool:
    return node.attributes.get("db.replica") is True or "replica" in f"{node.id} {node.label}".lower()


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        store = scene.nodes[edge.target]
        if (
            scene.mode(edge) != "sync"
            or not scene.taken(edge)
            or store.component not in DATABASES
            or is_write(edge.operation)
            or _is_replica(store)
        ):
            continue
        calls = scene.calls.get(edge.id, [])
        failed = scene.failed(edge)
        if not calls or not (failed or len(calls) >= REPEATS):
            continue
        why = (
            f"reads keep working while {label(store)} fails ({text.count(len(failed), 'failed read')} here)"
            if failed
            else f"its {text.count(len(calls), 'read')} per request stop loading the primary"
        )
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Read {label(store)} from a replica",
                claim=(
                    f"{scene.name(edge.source)} reads from a replica of {label(store)}; writes stay on the "
                    f"primary. {why[0].upper()}{why[1:]}. The replica lags behind the primary, and a slow "
                    f"query is just as slow there."
                ),
                spans=scene.span_ids(failed or calls),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    primary = editor.node(edge.target)
    if primary.component not in DATABASES or _is_replica(primary):
        raise not_applicable(FIX.id, f"'{primary.id}' is not a database with replicas", edge_id)
    if is_write(edge.operation):
        raise not_applicable(FIX.id, f"'{edge_id}' writes: writes must go to the primary", edge_id)
    replica = editor.add_node(
        primary,
        f"{primary.id}-replica",
        primary.component,
        f"{label(primary)} replica",
        primary.latency_ms,
        dy=110.0,
        attributes={**primary.attributes, "db.replica": True, "db.replication.lag_ms": LAG_MS},
    )
    edge.target = replica.id
    if not any(e.target == primary.id for e in editor.flow.edges):
        # keep the primary a dependency, not a root of its own: the writes still go there
        editor.flow.edges.append(
            Edge(
                id=editor.new_id(f"{edge.id}-writes"),
                source=edge.source,
                target=primary.id,
                operation="writes (none in this request)",
                mode="sync",
                step=edge.step,
                variants=[],
            )
        )
    for variant in editor.flow.variants.values():
        ov = variant.nodes.get(primary.id)
        if ov is not None and (ov.latency_ms is not None or ov.attributes):
            variant.nodes[replica.id] = NodeOverride(latency_ms=ov.latency_ms, attributes=dict(ov.attributes))
    return editor.finish(f"{edge.source} reads {primary.id} from the replica {replica.id}")


FIX = Fix(
    id="read-replica",
    title="Add a read replica",
    claim="Reads go to a replica: they survive a failing primary and stop loading it; writes stay on the "
    "primary, and the replica lags behind.",
    answers=frozenset({"error", "timeout", "repeat"}),
    find=find,
    apply=apply,
)
