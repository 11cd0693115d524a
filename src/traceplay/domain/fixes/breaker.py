"""Put a circuit breaker on a synchronous call that fails or hangs.

Offered where calls through the edge failed by themselves (as for a retry) and no breaker guards them
yet. A breaker counts failures; past a threshold it *opens* and rejects calls at once, without touching
the dependency. A single trace cannot show the counting, so the fix writes each state into the variants as
flow data: in every variant where calls through the edge fail (found by running the flow), the breaker
is open — the edge is skipped (the callee gets no span) and the caller fails fast with "circuit open"
(or, when the edge handles errors, goes on with its fallback). Where the callee is healthy the breaker
is closed and nothing changes but an attribute naming it.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    Candidate,
    Editor,
    Fix,
    FixTarget,
    Scene,
    failed_call,
    label,
    not_applicable,
    require_edge,
)
from traceplay.domain.flow import Flow
from traceplay.domain.simulate import simulate

FAIL_FAST_MS = 1.0


def _guarded(scene: Scene, edge_id: str) -> bool:
    edge = scene.edges[edge_id]
    keys = list(edge.attributes) + list(scene.nodes[edge.source].attributes)
    authored = scene.flow.variants.get(scene.variant)
    if authored is not None and edge.source in authored.nodes:
        keys += list(authored.nodes[edge.source].attributes)
    return any("circuit" in k.lower() or "breaker" in k.lower() for k in keys)


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        if scene.mode(edge) != "sync" or not scene.taken(edge) or _guarded(scene, edge.id):
            continue
        failed = scene.origin_failures(edge)
        if not failed:
            continue
        caller, callee = scene.name(edge.source), scene.name(edge.target)
        waited = max(s.duration_ms for s in failed)
        handled = scene.value(edge, "on_error") == "handled"
        then = (
            f"{caller} skips it and goes on with its fallback"
            if handled
            else f"{caller} fails fast with “circuit open” in about {text.ms(FAIL_FAST_MS)}"
        )
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Put a circuit breaker on {scene.hop(edge)}",
                claim=(
                    f"While {callee} is failing the breaker is open: {callee} is not called at all (no span, "
                    f"no load) and {then}, instead of spending {text.ms(waited)} on a call that fails. "
                    f"While {callee} is healthy nothing changes."
                ),
                spans=scene.span_ids(failed),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    caller, callee = editor.node(edge.source), editor.node(edge.target)
    open_in = [v for v in editor.variant_names() if _fails(editor.flow, v, edge_id)]
    if not open_in:
        raise not_applicable(FIX.id, f"calls through '{edge_id}' fail in no variant", edge_id)
    name = callee.id
    edge.attributes = {**edge.attributes, "circuit_breaker.name": name, "circuit_breaker.state": "closed"}
    for v in open_in:
        variant = editor.variant(v)
        editor.edge_override(v, edge_id).skip = True
        handled = (variant.edges[edge_id].on_error or edge.on_error) == "handled"
        ov = editor.node_override(v, caller.id)
        ov.attributes = {**ov.attributes, "circuit_breaker.name": name, "circuit_breaker.state": "open"}
        if handled:
            continue  # the caller already lives without the answer: the breaker only saves the wait
        ov.status = "error"
        ov.fail_at = "end"
        ov.error = f"503 Service Unavailable: circuit open ({label(callee)}), failing fast"
        taken = [e for e in editor.flow.edges if e.source == caller.id and e.id != edge_id]
        if not any(e.step < edge.step for e in taken):
            ov.latency_ms = FAIL_FAST_MS  # nothing happened before the rejected call
        for later in taken:  # a failed step ends the caller's calls: later steps do not run
            if later.step > edge.step:
                editor.edge_override(v, later.id).skip = True
    return editor.finish(
        f"a circuit breaker on {edge.source} → {edge.target}, open in {text.listing(open_in)}"
    )


def _fails(flow: Flow, variant: str, edge_id: str) -> bool:
    trace = simulate(flow, variant)
    return any(s.edge_id == edge_id and failed_call(s) for s in trace.spans)


FIX = Fix(
    id="circuit-breaker",
    title="Circuit breaker",
    claim="While the dependency fails, calls to it are rejected at once: no span, no wait, no load on it; "
    "the caller fails fast or serves a fallback.",
    answers=frozenset({"error", "timeout", "retry", "external"}),
    find=find,
    apply=apply,
)
