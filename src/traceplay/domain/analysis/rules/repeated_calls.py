"""Repeated calls: N+1 queries, chatty APIs and agent loops.

Five or more similar synchronous calls from one parent (retries not counted) to one dependency: one
query per item instead of one query for all (N+1), one request per field, or an agent calling its
language model round after round. Calls one after another are the costly case (their times add up);
a burst of them in parallel is reported too, as a batching opportunity.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.flow import Severity

MIN_CALLS = 5
SEQUENTIAL = 0.8  # calls cover at least 80 % of their summed time: they ran one after another
CRITICAL_SHARE = 0.8
CRITICAL_MS = 1000.0
MAX_FINDINGS = 3


def _check(ix: TraceIndex) -> list[Draft]:
    found = []
    for g in calls.sync_groups(ix):
        firsts = g.firsts
        if len(firsts) >= MIN_CALLS:
            total = sum(ix.duration(c) for c in firsts)
            found.append((total, g, firsts))
    found.sort(key=lambda f: -f[0])
    return [_draft(ix, total, g, firsts) for total, g, firsts in found[:MAX_FINDINGS]]


def _draft(ix: TraceIndex, total: float, g: calls.Group, firsts: list[int]) -> Draft:
    p, n = g.parent, len(firsts)
    target = firsts[0]
    covered, _ = calls.union_ms(ix, firsts)
    sequential = covered >= SEQUENTIAL * total
    llm = ix.is_llm(target)
    role = ix.role(target)
    share = text.share(total, ix.response_ms) if ix.on_path[p] else 0.0
    severity: Severity = (
        "critical" if sequential and share >= CRITICAL_SHARE and total >= CRITICAL_MS else "warning"
    )
    how = "one after another" if sequential else "in parallel bursts"
    cost = f"{text.ms(total / n)} each, {text.ms(total if sequential else covered)} in total"
    if ix.on_path[p]:
        cost += f" ({text.pct(total if sequential else covered, ix.response_ms)} of the response)"
    if llm:
        title = f"Agent loop: {ix.name(p)} called {ix.name(target)} {n} times"
        detail = (
            f"{ix.name(p)} went round its loop {text.count(n, 'time')}, calling {ix.name(target)} {how}: "
            f"{cost}. Every round pays a model call; an agent that does not converge runs until a limit "
            "stops it."
        )
        fix = (
            "Cap the iterations and the tokens per request, stop when a tool call repeats, and return the "
            "best answer so far when the budget runs out."
        )
    else:
        what = "queries" if role == "store" else "calls"
        label = "N+1 queries" if role == "store" and sequential else f"{n} similar {what}"
        title = f"{label}: {ix.name(p)} → {ix.name(target)} ×{n}"
        detail = (
            f"{ix.name(p)} made {text.count(n, 'similar call')} to {ix.name(target)} "
            f"({text.short(g.key[1], 60)}) {how}: {cost}."
        )
        if role == "store":
            fix = (
                f"Fetch them in one query — WHERE id IN (...), a JOIN, or a DataLoader — one round trip "
                f"instead of {n}."
            )
        else:
            fix = (
                "Add a batch endpoint (or a bulk operation), or cache the answer for the duration of the "
                "request."
            )
    return RULE.draft(
        "repeated-calls",
        severity,
        title,
        detail,
        firsts,
        tip="Many short, identical bars in a row under one parent are the signature of N+1: each is cheap, "
        "together they are the response time.",
        fix=fix,
        impact_ms=total if sequential else covered,
        focus=firsts,
    )


RULE = Rule(id="repeated_calls", title="Repeated calls: N+1 and agent loops", topic="repeat", check=_check)
