"""A built-in scenario's teaching content, merged into the analysis without saying anything twice.

Authored findings point at flow nodes and edges; here they point at the spans of this trace (every
span of those nodes, every call through those edges). An authored finding *covers* a rule finding
when it talks about the same topic — read from its words — and names every span the rule finding is
about (its focus): the rule finding is then dropped, the authored one (written for learners) kept.
Rule findings about the trace as a whole (the critical path) have no focus and always stay.
"""

from __future__ import annotations

import re

from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rule import Draft
from traceplay.domain.flow import Flow

TOPIC_WORDS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "error": r"error|fail|exception|\b5\d\d\b|refused|\bdown\b|crash|broken|unavailable|reject",
        "timeout": r"time[ds]?[ -]?out|deadline|hang",
        "retry": r"retr(y|ies|ied)|attempt",
        "repeat": r"n\+1|loop|iteration|rounds?\b|repeat|one by one|per item|\bevery (row|item|user)",
        "cache": r"cache|\bhit\b|\bmiss|fall(s|ing)? ?back|fell back",
        "after_response": r"after the response|\b202\b|accepted|asynchron|background|nobody|later",
        "queue": r"queue|\blag\b|backlog|wait(s|ed)? in",
        "parallel": r"parallel|sequential|one after (another|the other)|in (turn|sequence)|concurren|"
        r"waterfall|together",
        "fanout": r"fan[- ]?out|fans out|broadcast|every consumer|subscribers",
        "latency": r"slow|bottleneck|%|latency|holds|longest|\d\s?(ms|s)\b|seconds",
        "external": r"external|third[- ]party|provider|circuit breaker|\bapi\b",
    }.items()
}


def topics_of(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in TOPIC_WORDS.items() if pattern.search(text))


def authored(ix: TraceIndex, flow: Flow | None) -> tuple[list[Draft], list[str], list[str]]:
    """The variant's findings as drafts (source "scenario"), and its tips and fixes."""
    if flow is None or ix.variant is None:
        return [], [], []
    variant = flow.variants.get(ix.variant)
    if variant is None:
        return [], [], []
    by_node: dict[str, list[int]] = {}
    by_edge: dict[str, list[int]] = {}
    for i, s in enumerate(ix.spans):
        if s.node_id is not None:
            by_node.setdefault(s.node_id, []).append(i)
        if s.edge_id is not None:
            by_edge.setdefault(s.edge_id, []).append(i)
    drafts = []
    for j, f in enumerate(variant.findings):
        spans = ix.by_start(
            [i for nid in f.nodes for i in by_node.get(nid, [])]
            + [i for eid in f.edges for i in by_edge.get(eid, [])]
        )
        drafts.append(
            Draft(
                key=f"scenario-{j + 1}",
                rule="scenario",
                severity=f.severity,
                title=f.title,
                detail=f.detail,
                spans=spans,
                impact_ms=max((ix.duration(i) for i in spans), default=0.0),
                topics=topics_of(f"{f.title} {f.detail}"),
                nodes=list(f.nodes),
                source="scenario",
            )
        )
    return drafts, list(variant.tips), list(variant.fixes)


def covered(draft: Draft, scenario: list[Draft]) -> bool:
    """Does an authored finding already say what this rule finding says?"""
    if not draft.focus:
        return False
    focus = set(draft.focus)
    return any(draft.topics & s.topics and focus <= set(s.spans) for s in scenario)
