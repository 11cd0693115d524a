"""Every built-in scenario that ships, in every variant: at least one finding, the authored content
merged, and in error variants an origin that is one of the variant's failing nodes."""

from __future__ import annotations

import pytest

from traceplay.domain.analysis import analyze
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.simulate import simulate
from traceplay.templates import get_template, template_ids

CASES = [(t, v) for t in template_ids() for v in get_template(t).variants]


@pytest.mark.parametrize(("template_id", "variant"), CASES)
def test_every_builtin_variant_is_analysed(template_id: str, variant: str) -> None:
    flow = get_template(template_id)
    trace = simulate(flow, variant)
    a = analyze(trace, flow)
    where = f"{template_id}/{variant}"
    assert a.findings, where
    ids = {s.span_id for s in trace.spans}
    assert a.critical_path and a.critical_path[0] == trace.spans[0].span_id, where
    assert set(a.critical_path) <= ids and a.bottleneck in a.critical_path, where
    authored = [f for f in a.findings if f.source == "scenario"]
    assert sorted(f.title for f in authored) == sorted(f.title for f in flow.variants[variant].findings), (
        where
    )
    for f in a.findings:
        assert set(f.span_ids) <= ids, (where, f.id)
        assert f.title and f.detail.strip(), (where, f.id)
    assert a.tips == flow.variants[variant].tips and a.fixes == flow.variants[variant].fixes
    cp = critical_path(TraceIndex(trace, flow))  # the path's self times tile the response exactly
    assert sum(cp.self_ms.values()) == pytest.approx(trace.response_ms), where


def _failing_nodes(template_id: str, variant: str) -> set[str]:
    v = get_template(template_id).variants[variant]
    return {nid for nid, o in v.nodes.items() if o.status in ("error", "down", "timeout")}


ERROR_CASES = [(t, v) for t, v in CASES if v == "error"]


@pytest.mark.parametrize(("template_id", "variant"), ERROR_CASES)
def test_error_variants_name_the_span_where_the_error_started(template_id: str, variant: str) -> None:
    flow = get_template(template_id)
    trace = simulate(flow, variant)
    a = analyze(trace, flow)
    failing = [s for s in trace.spans if s.status == "error"]
    if not failing:  # an "error" told without a failing span (a security bug that returns 200)
        assert a.error_origin is None
        return
    origin = next(s for s in trace.spans if s.span_id == a.error_origin)
    assert origin.status == "error"
    gave_up = any(ev.name == "timeout" for ev in origin.events)  # a caller whose timeout fired
    failing_nodes = _failing_nodes(template_id, variant)
    assert origin.node_id in failing_nodes or gave_up, (
        f"{template_id}/error: the origin is {origin.node_id}; the variant fails {failing_nodes}"
    )
    if trace.status == "error":  # what the caller saw comes from the origin, through failing parents
        by_id = {s.span_id: s for s in trace.spans}
        s = origin
        while s.parent_id is not None:
            s = by_id[s.parent_id]
            assert s.status == "error", f"{template_id}/error: {s.node_id} sits between origin and caller"
