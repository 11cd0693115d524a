"""Retry a failing synchronous call, with a backoff between attempts.

Offered where a call through an edge failed by itself — not because a call under it failed, and not
with a refusal such as a 4xx or "declined", which a retry would only repeat — or its caller gave up on
it; and the edge does not retry yet, or retries with no pause. Applied, the edge makes up to
``RETRIES`` more attempts with an exponential backoff: the first pause sized from the call's healthy
latency, each next one twice as long. Re-run, a passing glitch no longer fails the request; against a
dependency that stays down it shows the other side: more attempts, more waiting, more load on it.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    Candidate,
    Editor,
    Fix,
    FixTarget,
    Scene,
    healthy_ms,
    nice_ms,
    require_edge,
)
from traceplay.domain.flow import Flow

RETRIES = 2
MIN_BACKOFF_MS = 50.0
MULTIPLIER = 2.0  # exponential: each pause twice the one before


def backoff_for(healthy: float) -> float:
    """Twice the healthy latency (at least 50 ms), rounded up: long enough for a glitch to pass."""
    return nice_ms(max(2 * healthy, MIN_BACKOFF_MS))


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        if scene.mode(edge) != "sync" or not scene.taken(edge):
            continue
        failed = scene.origin_failures(edge)
        if not failed:
            continue
        retries = scene.value(edge, "retries")
        backoff = scene.value(edge, "retry_backoff_ms")
        if retries and backoff:
            continue  # already retries with a backoff
        pause = backoff_for(scene.healthy(edge))
        caller, callee = scene.name(edge.source), scene.name(edge.target)
        if retries:
            title = f"Back off between retries of {scene.hop(edge)}, from {text.ms(pause)}"
            claim = (
                f"{caller} waits {_pauses(pause, retries)} before its new attempts at {callee}, so its "
                f"{retries} retries stop hammering a dependency that just failed; the request takes longer "
                f"when every attempt fails."
            )
        else:
            title = f"Retry {scene.hop(edge)} up to {RETRIES} times, backing off from {text.ms(pause)}"
            claim = (
                f"{caller} tries {callee} again (up to {RETRIES + 1} attempts, waiting {_pauses(pause)}) "
                f"instead of failing at the first error: a passing glitch no longer fails the request. If "
                f"{callee} stays down, each request now makes {RETRIES + 1} attempts and waits longer."
            )
        out.append(
            Candidate.on_edge(
                edge,
                title=title,
                claim=claim,
                spans=scene.span_ids(failed),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    pause = backoff_for(healthy_ms(flow, edge))
    edge.retries = max(edge.retries, RETRIES)
    edge.retry_backoff_ms = max(edge.retry_backoff_ms, pause)
    edge.retry_backoff_multiplier = max(edge.retry_backoff_multiplier, MULTIPLIER)
    for variant in editor.flow.variants.values():  # an authored "no retries here" would undo the fix
        ov = variant.edges.get(edge_id)
        if ov is None:
            continue
        if ov.retries is not None and ov.retries < edge.retries:
            ov.retries = None
        if ov.retry_backoff_ms is not None and ov.retry_backoff_ms < pause:
            ov.retry_backoff_ms = None
    waits = _pauses(edge.retry_backoff_ms, edge.retries)
    return editor.finish(f"{edge.retries} retries on {edge.source} → {edge.target}, waiting {waits}")


def _pauses(first: float, retries: int = RETRIES) -> str:
    """``100 ms, then 200 ms``: the exponential backoff spelled out."""
    waits = [text.ms(first * MULTIPLIER**k) for k in range(max(retries, 1))]
    return text.listing(waits[:1] + [f"then {w}" for w in waits[1:]], 3).replace(" and then", ", then")


FIX = Fix(
    id="add-retry",
    title="Retry with backoff",
    claim="A failed call is tried again after a pause: transient failures stop failing requests, at the "
    "price of more attempts when the dependency stays down.",
    answers=frozenset({"error", "retry", "timeout", "external"}),
    find=find,
    apply=apply,
)
