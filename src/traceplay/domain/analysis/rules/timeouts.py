"""Timeouts: a caller that gave up waiting.

Evidence, in order of precision: a ``timeout`` event on the caller naming its target (what simulated
traces and many SDKs record), a span whose error says it timed out (``timed out``, ``timeout``,
``deadline exceeded``), and a synchronous child still running after its parent ended (the caller
stopped waiting: orphaned work) when the parent's error says it timed out — without that, a child
outliving its parent is more likely clock skew. One finding per caller and callee: how long the
caller waited, whether the timeout failed the request, and how long the callee went on working for
nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from traceplay.domain.analysis import text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.flow import Severity

TIMEOUT_WORDS = re.compile(r"time[d ]?\s?out|deadline|no response within", re.IGNORECASE)
MAX_FINDINGS = 3


@dataclass
class _Incident:
    caller: int
    callees: list[int] = field(default_factory=list)
    waited: list[float] = field(default_factory=list)  # ms the caller waited before giving up
    orphan_ms: float = 0.0  # callee work after the caller stopped waiting


def _check(ix: TraceIndex) -> list[Draft]:
    incidents: dict[tuple[int, str], _Incident] = {}
    claimed: set[int] = set()

    def add(caller: int, callee: int | None, target: str, waited: float | None) -> None:
        inc = incidents.setdefault((caller, target), _Incident(caller))
        if callee is not None and callee not in claimed:
            claimed.add(callee)
            inc.callees.append(callee)
            inc.orphan_ms += max(0.0, ix.end[callee] - ix.end[caller])
        if waited is not None:
            inc.waited.append(waited)

    for i, s in enumerate(ix.spans):  # first the callers' own word: timeout events
        for ev in s.events:
            if ev.name != "timeout":
                continue
            target = str(ev.attributes.get("target", ""))
            limit = ev.attributes.get("timeout_ms")
            callee = _callee(ix, i, target, ev.time_ms)
            waited = float(limit) if isinstance(limit, int | float) and not isinstance(limit, bool) else None
            if waited is None and callee is not None:
                waited = ev.time_ms - ix.start[callee]
            add(i, callee, target or (ix.name(callee) if callee is not None else "a call"), waited)
    gave_up = {inc.caller for inc in incidents.values()}
    end, failed = ix.end, ix.failed
    for i, s in enumerate(ix.spans):  # then what the spans show: timeout errors, orphaned children
        p = ix.parent[i]
        if p < 0 or i in claimed or ix.asynch[i]:
            continue
        if not (failed[i] or end[i] > end[p] + EPS or p in gave_up):
            continue  # the cheap tests first: most spans stop here
        # a timeout error of its own: not one passed up from a failing child, nor one it raised itself
        # when it gave up on a callee (that one is its callee's incident)
        said = (
            failed[i]
            and bool(TIMEOUT_WORDS.search(s.error or ""))
            and not any(ev.name == "timeout" for ev in s.events)
            and not any(failed[c] and not ix.asynch[c] for c in ix.children[i])
        )
        # a child outliving its parent is only a timeout when the parent says so: otherwise clock skew
        orphaned = s.attributes.get("traceplay.orphaned") is True or (
            end[i] > end[p] + EPS and failed[p] and bool(TIMEOUT_WORDS.search(ix.spans[p].error or ""))
        )
        if said or orphaned:
            waited = (end[p] - ix.start[i]) if orphaned else ix.dur[i]
            add(p, i, ix.name(i), max(waited, 0.0))
    ranked = sorted(incidents.values(), key=lambda inc: -max(inc.waited, default=0.0))
    return [_draft(ix, inc) for inc in ranked[:MAX_FINDINGS]]


def _callee(ix: TraceIndex, caller: int, target: str, at: float) -> int | None:
    """The child the caller gave up on: named like the event's target and started before it fired."""
    best = None
    for c in ix.children[caller]:
        if ix.start[c] <= at + EPS and (not target or ix.spans[c].service == target or ix.name(c) == target):
            best = c  # the latest such child (children are by start)
    return best


def _draft(ix: TraceIndex, inc: _Incident) -> Draft:
    caller = inc.caller
    callee_name = ix.name(inc.callees[0]) if inc.callees else "a call"
    n = max(len(inc.waited), len(inc.callees), 1)
    waited = max(inc.waited, default=0.0)
    total = sum(inc.waited)
    failed_request = ix.failed[ix.entry] and ix.failed[caller] and ix.on_path[caller]
    severity: Severity = "critical" if failed_request else "warning"
    detail = f"{ix.name(caller)} gave up on {callee_name}" + (f" after {text.ms(waited)}" if waited else "")
    detail += f" ({text.times(n)}, {text.ms(total)} in all)." if n > 1 else "."
    if failed_request:
        detail += " The timeout failed the request: the caller got an error."
    elif ix.failed[caller]:
        detail += f" {ix.name(caller)} failed because of it."
    else:
        detail += f" {ix.name(caller)} carried on without the answer."
    if ix.on_path[caller] and total and ix.response_ms > 0:
        detail += f" Waiting is {text.pct(min(total, ix.response_ms), ix.response_ms)} of the response."
    if inc.orphan_ms > EPS:
        detail += f" {callee_name} kept working {text.ms(inc.orphan_ms)} after its caller stopped waiting."
    return RULE.draft(
        "timeout",
        severity,
        f"{ix.name(caller)} timed out waiting for {callee_name}"
        + (f" after {text.ms(waited)}" if waited else ""),
        detail,
        [caller, *inc.callees],
        tip="A timeout turns a hang into an error you can see — but a long one still holds the caller, its "
        "thread, its connection and its user for the whole wait.",
        fix="Set the timeout near the dependency's healthy p99 rather than at a round number, and propagate "
        "a deadline so callees stop work nobody waits for (gRPC deadlines, context cancellation).",
        impact_ms=total,
        focus=inc.callees[:1] or [caller],
    )


RULE = Rule(id="timeouts", title="Timeouts", topic="timeout", check=_check)
