"""A scenario variant's story, checked structurally against its simulated trace."""

from __future__ import annotations

from dataclasses import dataclass, field

from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Span, Trace
from traceplay.templates import get_template

TOLERANCE = 0.25  # the roadmap's numbers are targets: ±25 %


@dataclass(frozen=True)
class Story:
    status: str = "ok"  # what the caller saw: the entry root's status
    spans: frozenset[str] = frozenset()  # node ids that must have at least one span
    no_spans: frozenset[str] = frozenset()  # node ids that must have none (skipped, not reached)
    failing: frozenset[str] = frozenset()  # node ids with at least one span in error
    origin: str | None = None  # node id of the deepest failing span (where the error started)
    after_response: frozenset[str] = frozenset()  # nodes whose work goes on after the response
    counts: dict[str, int] = field(default_factory=dict)  # exact number of spans per node id
    parallel: frozenset[str] = frozenset()  # nodes whose spans all start at the same time


def S(*ids: str) -> frozenset[str]:
    return frozenset(ids)


def deepest_failing(trace: Trace) -> Span | None:
    depth = {}
    worst: tuple[int, float, Span] | None = None
    for span, d in trace.walk():
        depth[span.span_id] = d
        if span.status == "error":
            key = (d, -span.start_ms)
            if worst is None or key > worst[:2]:
                worst = (d, -span.start_ms, span)
    return worst[2] if worst else None


def check_story(template_id: str, variant: str, story: Story) -> Trace:
    flow = get_template(template_id)
    trace = simulate(flow, variant)
    by_node: dict[str, list[Span]] = {}
    for s in trace.spans:
        by_node.setdefault(s.node_id or "", []).append(s)
    where = f"{template_id}/{variant}"
    assert trace.status == story.status, f"{where}: the caller saw {trace.status}, story says {story.status}"
    for nid in story.spans:
        assert nid in by_node, f"{where}: no span on {nid}"
    for nid in story.no_spans:
        assert nid not in by_node, f"{where}: {nid} should have no span"
    failing = {s.node_id for s in trace.spans if s.status == "error"}
    for nid in story.failing:
        assert nid in failing, f"{where}: {nid} should fail"
    if story.origin is not None:
        origin = deepest_failing(trace)
        assert origin is not None and origin.node_id == story.origin, (
            f"{where}: the error starts at {origin and origin.node_id}, story says {story.origin}"
        )
    for nid in story.after_response:
        assert any(s.start_ms + s.duration_ms > trace.response_ms for s in by_node.get(nid, [])), (
            f"{where}: {nid} should still work after the response ({trace.response_ms} ms)"
        )
    for nid, n in story.counts.items():
        assert len(by_node.get(nid, [])) == n, (
            f"{where}: {nid} has {len(by_node.get(nid, []))} spans, not {n}"
        )
    if story.parallel:
        starts = {by_node[nid][0].start_ms for nid in story.parallel}
        assert len(starts) == 1, f"{where}: {sorted(story.parallel)} should start together, start at {starts}"
    target = flow.variants[variant].target_ms
    if target is not None:
        low, high = target * (1 - TOLERANCE), target * (1 + TOLERANCE)
        assert low <= trace.response_ms <= high, (
            f"{where}: response {trace.response_ms} ms is outside {target} ms ±25 %"
        )
    return trace
