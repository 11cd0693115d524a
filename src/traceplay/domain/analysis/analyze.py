"""``analyze(trace, flow=None, variant=None) -> Analysis``: every rule over one shared index, the
scenario's authored content merged in, findings ordered by severity then impact."""

from __future__ import annotations

from traceplay.domain.analysis import scenario
from traceplay.domain.analysis.headline import headline
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.model import SEVERITY_RANK, Analysis, Finding, worst
from traceplay.domain.analysis.rule import MAX_SPAN_IDS, Draft, Rule
from traceplay.domain.analysis.rules import RULES
from traceplay.domain.analysis.rules.critical_path import critical_path
from traceplay.domain.analysis.rules.error_origin import error_origin
from traceplay.domain.flow import Flow
from traceplay.domain.gcpause import collector_paused
from traceplay.domain.trace import Trace

GC_PAUSE_SPANS = 10_000


def analyze(
    trace: Trace,
    flow: Flow | None = None,
    variant: str | None = None,
    *,
    rules: tuple[Rule, ...] = RULES,
) -> Analysis:
    """What happened in ``trace``. With the ``flow`` it came from (a built-in scenario), the variant's
    authored findings, tips and fixes are merged in; ``variant`` defaults to the trace's."""
    with collector_paused(len(trace.spans) >= GC_PAUSE_SPANS):
        return _run(trace, flow, variant, rules)


def _run(trace: Trace, flow: Flow | None, variant: str | None, rules: tuple[Rule, ...]) -> Analysis:
    ix = TraceIndex(trace, flow, variant)
    drafts: list[Draft] = []
    for rule in rules:
        drafts.extend(rule.check(ix))
    authored, tips, fixes = scenario.authored(ix, flow)
    drafts = [d for d in drafts if not scenario.covered(d, authored)] + authored
    findings = _findings(ix, drafts)
    cp = critical_path(ix)
    eo = error_origin(ix)
    return Analysis(
        trace_id=trace.trace_id,
        flow=flow.id if flow is not None else trace.flow,
        variant=ix.variant,
        severity=worst(f.severity for f in findings),
        headline=headline(ix, cp, eo),
        response_ms=trace.response_ms,
        duration_ms=trace.duration_ms,
        status=trace.status,
        critical_path=[ix.sid(i) for i in cp.spans],
        bottleneck=ix.sid(cp.bottleneck) if cp.bottleneck is not None else None,
        error_origin=ix.sid(eo.origin) if eo is not None else None,
        findings=findings,
        tips=tips,
        fixes=fixes,
    )


def _findings(ix: TraceIndex, drafts: list[Draft]) -> list[Finding]:
    """Ids made unique in drafting order (stable across runs), then ordered by severity and impact.

    The authored findings of one severity keep the author's order: the group stands where its
    strongest member would, so a scenario's first point is read first.
    """
    group: dict[str, float] = {}
    for d in drafts:
        if d.source == "scenario":
            group[d.severity] = max(group.get(d.severity, 0.0), d.impact_ms)

    def impact(d: Draft) -> float:
        return group[d.severity] if d.source == "scenario" else d.impact_ms

    used: dict[str, int] = {}
    numbered: list[tuple[Draft, str, int]] = []
    for n, d in enumerate(drafts):
        used[d.key] = used.get(d.key, 0) + 1
        fid = d.key if used[d.key] == 1 else f"{d.key}-{used[d.key]}"
        numbered.append((d, fid, n))
    numbered.sort(key=lambda t: (SEVERITY_RANK[t[0].severity], -impact(t[0]), t[2]))
    out = []
    for d, fid, _ in numbered:
        spans = d.spans[:MAX_SPAN_IDS]
        nodes = list(dict.fromkeys([*d.nodes, *ix.node_ids(spans)]))
        out.append(
            Finding(
                id=fid,
                rule=d.rule,
                severity=d.severity,
                title=d.title,
                detail=d.detail,
                span_ids=[ix.sid(i) for i in spans],
                node_ids=nodes,
                tip=d.tip,
                fix=d.fix,
                source=d.source,
            )
        )
    return out
