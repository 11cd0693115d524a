"""Fix it, re-run it: the registry of flow transformations a learner can apply from a finding.

Each fix (one small module each) knows where a trace shows it would help (``find``) and how to change
the flow (``apply``: a NEW flow, id suffixed ``-fixed``, name "… (fixed)", valid by construction — it
is re-checked by ``parse_flow``). ``fixes_for(flow, trace, analysis)`` maps the analysis' findings to
offers: a place a fix would help becomes an offer for the first finding (in the analysis' order: the
most serious first) that talks about the fix's topic and points at the same spans or nodes.

::

    add-timeout        a sync edge without a timeout that hung or crawled
    add-retry          a sync edge whose calls failed (or retried without a pause)
    circuit-breaker    a sync edge whose calls failed: open in the failing variants
    add-cache          reads of a store that cost a lot or repeat: Redis in front (success = hit)
    run-in-parallel    consecutive steps of independent reads: one step
    move-behind-queue  a slow or failing write/notification in the last step: SQS + async consumer
    read-replica       reads of a database that fail or repeat: a replica
    idempotency-check  a write that may arrive twice: SET NX before it (+ a "duplicate" variant)
"""

from __future__ import annotations

from traceplay.domain.analysis.model import Analysis, Finding
from traceplay.domain.analysis.rules import RULES
from traceplay.domain.analysis.scenario import topics_of
from traceplay.domain.fixes import (
    breaker,
    cache,
    idempotency,
    parallel,
    queue,
    replica,
    retry,
    timeout,
)
from traceplay.domain.fixes.base import Candidate, Fix, FixOffer, FixTarget, Scene
from traceplay.domain.flow import Flow
from traceplay.domain.trace import Trace
from traceplay.errors import NotFoundError, Problem

FIXES: tuple[Fix, ...] = (
    timeout.FIX,
    retry.FIX,
    breaker.FIX,
    cache.FIX,
    parallel.FIX,
    queue.FIX,
    replica.FIX,
    idempotency.FIX,
)
BY_ID: dict[str, Fix] = {f.id: f for f in FIXES}
_RULE_TOPICS: dict[str, str] = {r.id: r.topic for r in RULES}

__all__ = [
    "FIXES",
    "Candidate",
    "Fix",
    "FixOffer",
    "FixTarget",
    "apply_fix",
    "candidates",
    "fixes_for",
    "get_fix",
]


def get_fix(fix_id: str) -> Fix:
    fix = BY_ID.get(fix_id)
    if fix is None:
        raise NotFoundError(
            f"unknown fix '{fix_id}'", [Problem(f"choose one of: {', '.join(BY_ID)}", "fix_id")]
        )
    return fix


def topics(finding: Finding) -> frozenset[str]:
    """What a finding talks about: its rule's topic, and for authored findings, what its words say."""
    found = set(topics_of(f"{finding.title} {finding.detail}")) if finding.source == "scenario" else set()
    if finding.rule in _RULE_TOPICS:
        found.add(_RULE_TOPICS[finding.rule])
    return frozenset(found)


def candidates(flow: Flow, trace: Trace, analysis: Analysis) -> list[tuple[Fix, Candidate]]:
    """Every place in the flow where the trace shows a fix would help, in registry order."""
    scene = Scene(flow, trace, analysis)
    return [(fix, c) for fix in FIXES for c in fix.find(scene)]


def fixes_for(flow: Flow, trace: Trace, analysis: Analysis) -> list[FixOffer]:
    """The fixes the learner can apply, each tied to the finding it answers; the most serious first."""
    found = candidates(flow, trace, analysis)
    if not found:
        return []
    ranked = [(f, topics(f), set(f.span_ids), set(f.node_ids)) for f in analysis.findings]
    offers: list[tuple[int, int, FixOffer]] = []
    seen: set[tuple[str, tuple[str, ...], tuple[str, ...]]] = set()
    for order, (fix, cand) in enumerate(found):
        key = (fix.id, tuple(cand.target.edges), tuple(cand.target.nodes))
        if key in seen:
            continue
        for rank, (finding, about, spans, nodes) in enumerate(ranked):
            if not (about & fix.answers):
                continue
            if spans.intersection(cand.spans) or nodes.intersection(cand.subjects):
                seen.add(key)
                offer = FixOffer(
                    fix_id=fix.id,
                    title=cand.title,
                    claim=cand.claim,
                    target=cand.target,
                    finding_id=finding.id,
                )
                offers.append((rank, order, offer))
                break
    offers.sort(key=lambda t: (t[0], t[1]))
    return [o for _, _, o in offers]


def apply_fix(flow: Flow, fix_id: str, target: FixTarget) -> Flow:
    """A new flow with the fix applied at ``target``; the original is not changed."""
    return get_fix(fix_id).apply(flow, target)


def claim_for(flow: Flow, trace: Trace, analysis: Analysis, fix_id: str, target: FixTarget) -> str:
    """What the fix claims at this target, with this trace's numbers when the trace shows the problem."""
    fix = get_fix(fix_id)
    for f, cand in candidates(flow, trace, analysis):
        if f.id == fix_id and cand.target.edges == target.edges:
            return cand.claim
    return fix.claim
