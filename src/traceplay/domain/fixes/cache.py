"""Put a cache in front of a store the trace reads from (cache-aside).

A Redis node is inserted between the caller and the store: the caller asks Redis first (``GET``); on a
*hit* the store is not called; on a *miss* the caller reads the store and writes the value back
(``SETEX``). As flow data: the success variant is a hit; every other variant is a miss — the store edge
and the write-back are taken only there — so re-running shows both sides of the deal: the common case
gets fast, and a miss still pays the query plus a round trip to Redis.
"""

from __future__ import annotations

from traceplay.domain import catalogue
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
    role,
)
from traceplay.domain.flow import Edge, Flow, Node

HIT = "success"
CACHE_MS = 1.0
GET_TIMEOUT_MS = 50.0
TTL_S = 300
NOT_CACHED = frozenset({"redis", "s3"})  # already a cache; objects go behind a CDN, not Redis
REPEATS = 3  # this many reads of one edge in a trace are worth caching whatever they cost


def cacheable(node: Node) -> bool:
    comp = catalogue.get(node.component)
    return (
        role(node) == "store"
        and node.component not in NOT_CACHED
        and comp is not None
        and comp.category != "observability"
    )


def _has_cache(scene: Scene, node_id: str) -> bool:
    return any(scene.nodes[e.target].component == "redis" for e in scene.out_edges(node_id))


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        store = scene.nodes[edge.target]
        if (
            scene.mode(edge) != "sync"
            or edge.variants is not None
            or not cacheable(store)
            or is_write(edge.operation)
            or _has_cache(scene, edge.source)
        ):
            continue
        calls = scene.calls.get(edge.id, [])
        if not calls or not (len(calls) >= REPEATS or scene.weighty(edge)):
            continue
        cost = sum(s.duration_ms for s in calls)
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Cache {label(store)} reads of {scene.name(edge.source)} in Redis",
                claim=(
                    f"{scene.name(edge.source)} asks Redis first. In the success variant it is a hit: "
                    f"about {text.ms(CACHE_MS)} instead of {text.ms(cost)}, and {label(store)} is not "
                    "called. "
                    f"In the other variants it is a miss: the query still runs, plus a GET and a SETEX."
                ),
                spans=scene.span_ids(calls),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    store = editor.node(edge.target)
    if not cacheable(store):
        raise not_applicable(FIX.id, f"'{store.id}' is not a store that a cache can front", edge_id)
    if edge.variants is not None:
        raise not_applicable(FIX.id, f"'{edge_id}' is only taken in some variants already", edge_id)
    misses = [v for v in editor.variant_names() if v != HIT]
    cache = _cache_node(editor, store)
    key = f"cache:{edge.id}"
    step = edge.step
    editor.shift_steps(edge.source, step + 1, 2)
    edge.step = step + 1
    edge.variants = list(misses)
    editor.flow.edges.append(
        Edge(
            id=editor.new_id(f"{edge.id}-cache-get"),
            source=edge.source,
            target=cache.id,
            operation=f"GET {key}",
            mode="sync",
            step=step,
            timeout_ms=GET_TIMEOUT_MS,
            on_error="handled",
        )
    )
    editor.flow.edges.append(
        Edge(
            id=editor.new_id(f"{edge.id}-cache-set"),
            source=edge.source,
            target=cache.id,
            operation=f"SETEX {key} {TTL_S}",
            mode="sync",
            step=step + 2,
            timeout_ms=GET_TIMEOUT_MS,
            on_error="handled",
            variants=list(misses),
        )
    )
    for v in editor.variant_names():
        editor.node_override(v, cache.id).attributes = {"cache.hit": v == HIT}
    return editor.finish(f"a Redis cache in front of {store.id} for {edge.source} (a hit in {HIT})")


def _cache_node(editor: Editor, store: Node) -> Node:
    return editor.add_node(store, f"{store.id}-cache", "redis", f"Cache ({label(store)})", CACHE_MS)


FIX = Fix(
    id="add-cache",
    title="Cache in front of a store",
    claim="Reads ask Redis first: a hit skips the store; a miss still pays it, then writes the value back.",
    answers=frozenset({"latency", "repeat"}),
    find=find,
    apply=apply,
)
