"""Add a timeout to a synchronous call that has none, sized from the call's healthy latency.

Offered where the trace shows a caller held by a call without its own timeout: a hang that ran to the
flow's default (30 s), or a call that took far longer than when healthy. The timeout is three times the
healthy latency (at least 50 ms more), rounded up — near a p99, not a round 30 s. Re-run, a hang ends at
the timeout: the caller fails fast (or carries on, when the edge handles errors) instead of waiting.
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
    require_edge,
    suggested_timeout,
)
from traceplay.domain.flow import Flow

SLOW_FACTOR = 3.0  # a call this many times its healthy latency (and over SLOW_MS) is held too long
SLOW_MS = 500.0


def find(scene: Scene) -> list[Candidate]:
    out = []
    for edge in scene.flow.edges:
        if scene.mode(edge) != "sync" or not scene.taken(edge) or scene.value(edge, "timeout_ms") is not None:
            continue
        calls = scene.calls.get(edge.id, [])
        if not calls:
            continue
        healthy = scene.healthy(edge)
        longest = scene.longest(edge)
        hung = [s for s in scene.hung(edge) if scene.slow_by_itself(s)]
        slow = [
            s
            for s in calls
            if s.duration_ms >= SLOW_MS and s.duration_ms >= SLOW_FACTOR * healthy and scene.slow_by_itself(s)
        ]
        if not hung and not slow:
            continue  # fast, or slow because of a call further down: bound that one
        limit = suggested_timeout(healthy)
        handled = scene.value(edge, "on_error") == "handled"
        after = (
            f"{scene.name(edge.source)} carries on without the answer (the call is handled)"
            if handled
            else f"{scene.name(edge.source)} fails fast with a timeout error"
        )
        out.append(
            Candidate.on_edge(
                edge,
                title=f"Add a {text.ms(limit)} timeout to {scene.hop(edge)}",
                claim=(
                    f"{scene.name(edge.source)} stops waiting for {scene.name(edge.target)} after "
                    f"{text.ms(limit)} (3× its healthy {text.ms(healthy)}) instead of {text.ms(longest)}: "
                    f"the response is bounded, and {after}."
                ),
                spans=scene.span_ids(hung or slow),
            )
        )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_id = require_edge(flow, target, FIX.id)[0]
    editor = Editor(flow)
    edge = editor.sync_edge(edge_id, FIX.id)
    edge.timeout_ms = suggested_timeout(healthy_ms(flow, edge))
    return editor.finish(f"a {text.ms(edge.timeout_ms)} timeout on {edge.source} → {edge.target}")


FIX = Fix(
    id="add-timeout",
    title="Add a timeout",
    claim="A call that hangs or crawls is cut at about three times its healthy latency: the caller "
    "fails fast instead of holding the request.",
    answers=frozenset({"timeout", "latency", "external", "error"}),
    find=find,
    apply=apply,
)
