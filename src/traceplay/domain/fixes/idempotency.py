"""Add an idempotency check: ``SET key NX`` in Redis before a write that may arrive twice.

Offered for a synchronous write that can be repeated: the edge retries, the trace shows several
attempts, the write is a payment, or the caller consumes messages (queues deliver at least once).
Applied, the caller first records the request's idempotency key with ``SET … NX`` (the write and
everything after it move one step later), and a new variant ``duplicate`` shows a repeated request: the
key is already there, so the write is skipped. Re-run, every request pays one Redis round trip more; in
``duplicate`` the write does not happen a second time.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    PAYMENT,
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
from traceplay.domain.flow import Edge, EdgeOverride, Finding, Flow, Node, NodeOverride, Variant

DUPLICATE = "duplicate"
CHECK_MS = 1.0
KEY_TTL_S = 86_400


def _repeatable(scene: Scene, edge: Edge) -> str | None:
    """Why the write may arrive twice, or None."""
    callee = scene.nodes[edge.target]
    attempts = len(scene.calls.get(edge.id, []))
    if scene.value(edge, "retries") or attempts > 1:
        return "it is retried"
    if callee.component in PAYMENT:
        return "clients retry payments"
    incoming = scene.incoming.get(edge.source, [])
    if incoming and all(scene.mode(e) == "async" for e in incoming):
        return "its messages are delivered at least once"
    return None


def _checked(scene: Scene, source: str) -> bool:
    return any(
        scene.nodes[e.target].component == "redis"
        and ("NX" in e.operation or "idempot" in e.operation.lower())
        for e in scene.out_edges(source)
    )


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        if scene.mode(edge) != "sync" or not scene.taken(edge) or _checked(scene, edge.source):
            continue
        callee = scene.nodes[edge.target]
        if not (is_write(edge.operation) or callee.component in PAYMENT):
            continue
        why = _repeatable(scene, edge)
        calls = scene.calls.get(edge.id, [])
        if why is None or not calls:
            continue
        caller = scene.name(edge.source)
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Check an idempotency key before {caller} writes to {label(callee)}",
                claim=(
                    f"{caller} records the request's key with SET NX in Redis before "
                    f"“{text.short(edge.operation, 40)}”, because {why}: a repeated request finds the key "
                    f"and skips the write (see the new “{DUPLICATE}” variant). Every request pays one Redis "
                    f"round trip (about {text.ms(CHECK_MS)})."
                ),
                spans=scene.span_ids(calls),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    callee = editor.node(edge.target)
    if not (is_write(edge.operation) or callee.component in PAYMENT):
        raise not_applicable(FIX.id, f"'{edge_id}' does not write: reading twice is harmless", edge_id)
    caller = editor.node(edge.source)
    keys = editor.add_node(
        caller, f"{caller.id}-idempotency", "redis", "Idempotency keys", CHECK_MS, dy=-120.0
    )
    step = edge.step
    editor.shift_steps(caller.id, step, 1)
    check = Edge(
        id=editor.new_id(f"{edge.id}-idempotency"),
        source=caller.id,
        target=keys.id,
        operation=f"SET idem:{edge.id} NX EX {KEY_TTL_S}",
        mode="sync",
        step=step,
        timeout_ms=50.0,
    )
    editor.flow.edges.append(check)
    names = editor.variant_names()
    base = editor.flow.variants["success"].model_copy(deep=True)
    for v in names:
        editor.node_override(v, keys.id).attributes = {"idempotency.duplicate": False}
    editor.flow.variants[DUPLICATE] = _duplicate(base, caller, callee, keys, check, edge)
    return editor.finish(f"an idempotency check ({keys.id}) before {edge.id}")


def _duplicate(base: Variant, caller: Node, callee: Node, keys: Node, check: Edge, write: Edge) -> Variant:
    """A copy of the success variant in which the key already exists and the write is skipped."""
    variant = Variant(
        title="Duplicate request: the key is already there",
        summary=f"The same request arrives again. SET NX finds its key, so {label(caller)} skips "
        f"“{text.short(write.operation, 40)}” and answers as the first time.",
        severity="info",
        nodes=base.nodes,
        edges=base.edges,
    )
    variant.nodes[keys.id] = NodeOverride(attributes={"idempotency.duplicate": True})
    variant.edges.setdefault(write.id, EdgeOverride()).skip = True
    variant.findings = [
        Finding(
            title=f"No second write to {label(callee)}",
            detail=f"SET NX answered that the key exists, so {label(caller)} did not repeat the write: "
            "the duplicate is harmless.",
            nodes=[keys.id, callee.id],
            edges=[check.id],
        )
    ]
    return variant


FIX = Fix(
    id="idempotency-check",
    title="Add an idempotency check",
    claim="A write that may arrive twice first records its key with SET NX: a duplicate finds the key and "
    "skips the write.",
    answers=frozenset({"retry", "error", "external", "queue", "after_response"}),
    find=find,
    apply=apply,
)
