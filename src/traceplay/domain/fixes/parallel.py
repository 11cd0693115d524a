"""Run independent sequential calls in parallel: put them in the same step.

Under one caller, consecutive steps of synchronous calls to *different* dependencies cost the sum of
their times; in one step they cost the slowest. A run of steps qualifies when every call in it reads
(a write may depend on what came before), none is a gate whose answer decides what comes next (auth,
secrets, flags, a cache lookup), none calls a language model (its prompt is built from the calls
before it), none is limited to some variants, no step mixes in an async hand-off,
and no dependency is called twice. The trace must show the calls one after another, and the saving is
computed from it.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.fixes.base import (
    GATES,
    Candidate,
    Editor,
    Fix,
    FixTarget,
    Scene,
    is_write,
    not_applicable,
    require_edge,
)
from traceplay.domain.flow import Edge, Flow, Node, edge_mode

MIN_SAVING_MS = 1.0
PROMPTED = frozenset({"llm-api"})  # a model's prompt is built from what the calls before it returned


def runs(edges_out: list[Edge], nodes: dict[str, Node]) -> list[list[list[Edge]]]:
    """Runs of two or more consecutive steps of the edges out of one node whose calls could start
    together."""
    by_step: dict[int, list[Edge]] = {}
    for e in edges_out:
        by_step.setdefault(e.step, []).append(e)
    out: list[list[list[Edge]]] = []
    current: list[list[Edge]] = []
    targets: set[str] = set()
    for step in sorted(by_step):
        edges = by_step[step]
        ok = all(
            edge_mode(e, nodes) == "sync"
            and e.variants is None
            and nodes[e.target].component not in GATES | PROMPTED
            and not is_write(e.operation)
            for e in edges
        ) and len({e.target for e in edges}) == len(edges)
        if ok and not targets & {e.target for e in edges}:
            current.append(edges)
            targets |= {e.target for e in edges}
            continue
        if len(current) >= 2:
            out.append(current)
        current, targets = ([edges], {e.target for e in edges}) if ok else ([], set())
    if len(current) >= 2:
        out.append(current)
    return out


def find(scene: Scene) -> list[Candidate]:
    out = []
    for source in scene.nodes:
        for run in runs(scene.out_edges(source), scene.nodes):
            step_ms = []
            for edges in run:
                times = [s.duration_ms for e in edges for s in scene.calls.get(e.id, [])]
                step_ms.append(max(times, default=0.0))
            if sum(1 for t in step_ms if t > 0) < 2:
                continue
            together = max(step_ms)
            saving = sum(step_ms) - together
            if saving < MIN_SAVING_MS:
                continue
            edges = [e for step in run for e in step]
            names = [scene.name(e.target) for e in edges]
            out.append(
                Candidate(
                    target=FixTarget(edges=[e.id for e in edges], nodes=[source]),
                    title=f"Call {text.listing(names)} in parallel from {scene.name(source)}",
                    claim=(
                        f"{scene.name(source)} starts {text.listing(names)} together and waits once: "
                        f"{text.ms(together)} (the slowest) instead of {text.ms(sum(step_ms))} one after "
                        f"another — about {text.ms(saving)} less, if none needs another's result."
                    ),
                    spans=[s.span_id for e in edges for s in scene.calls.get(e.id, [])],
                    subjects=[source],
                )
            )
    return out


def apply(flow: Flow, target: FixTarget) -> Flow:
    edge_ids = require_edge(flow, target, FIX.id, count=2)
    editor = Editor(flow)
    edges = [editor.edge(eid) for eid in edge_ids]
    sources = {e.source for e in edges}
    if len(sources) != 1:
        raise not_applicable(FIX.id, "the edges must leave the same node")
    source = sources.pop()
    wanted = {e.id for e in edges}
    found = runs([e for e in editor.flow.edges if e.source == source], editor.flow.node_map())
    run = next((r for r in found if wanted <= {e.id for step in r for e in step}), None)
    if run is None:
        stuck = sorted(wanted - {e.id for r in found for step in r for e in step})
        reason = (
            f"'{stuck[0]}' must stay in its step (a write, a gate, an async hand-off or variant-only)"
            if stuck
            else "the edges are not in one run of consecutive steps (a gate or a write sits between them)"
        )
        raise not_applicable(FIX.id, reason, stuck[0] if stuck else None)
    first = min(e.step for e in edges)
    for e in edges:
        e.step = first
    return editor.finish(f"{text.listing(edge_ids)} of {source} run in parallel")


FIX = Fix(
    id="run-in-parallel",
    title="Run independent calls in parallel",
    claim="Calls that do not need each other's results start together: the step costs the slowest call, "
    "not the sum.",
    answers=frozenset({"parallel", "latency"}),
    find=find,
    apply=apply,
)
