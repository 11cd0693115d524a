"""A slow or failing external dependency called without a timeout or a circuit breaker.

External means a service you do not run: a catalogue component with the ``external`` role (Stripe,
Twilio, an LLM API, Vault ...) or, in an imported trace, a client call whose callee left no span. When
such a call is slow (a second or more, or half of a response of 300 ms or more) or fails, the
protections matter: with the flow known, its edge's ``timeout_ms`` (and the variant's override) says
whether a timeout is set; without the flow, a timeout shows only if one fired. A circuit breaker shows as
an attribute naming one. Calls that did time out are the timeouts rule's story.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.analysis.rules.timeouts import TIMEOUT_WORDS
from traceplay.domain.flow import Severity

SLOW_MS = 1000.0
SLOW_SHARE = 0.5
SLOW_SHARE_MIN_MS = 300.0
MAX_FINDINGS = 3


def _check(ix: TraceIndex) -> list[Draft]:
    found: dict[tuple[str, int], list[int]] = {}
    replaced = calls.superseded(ix)  # failed attempts a retry made good: the retries rule's story
    dur, failed, on_path = ix.dur, ix.failed, ix.on_path
    half = SLOW_SHARE * ix.response_ms
    for i in range(ix.n):
        d = dur[i]
        slow = d >= SLOW_MS or (on_path[i] and d >= SLOW_SHARE_MIN_MS and d >= half)
        if not (slow or (failed[i] and i not in replaced)):
            continue  # the cheap tests first: most spans stop here
        if ix.parent[i] < 0 or ix.role(i) != "external":
            continue
        if TIMEOUT_WORDS.search(ix.spans[i].error or "") or _timed_out(ix, i):
            continue
        timeout = ix.edge_timeout(i)
        if timeout is not None and ix.has_circuit_breaker(i):
            continue
        found.setdefault((ix.name(i), ix.parent[i]), []).append(i)
    ranked = sorted(found.values(), key=lambda g: -max(ix.duration(i) for i in g))
    return [_draft(ix, group) for group in ranked[:MAX_FINDINGS]]


def _timed_out(ix: TraceIndex, i: int) -> bool:
    p = ix.parent[i]
    return any(ev.name == "timeout" for ev in ix.spans[p].events) if p >= 0 else False


def _draft(ix: TraceIndex, group: list[int]) -> Draft:
    i = max(group, key=lambda c: ix.duration(c))
    p = ix.parent[i]
    timeout = ix.edge_timeout(i)
    breaker = ix.has_circuit_breaker(i)
    failed = ix.failed[i]
    n = len(group)
    what = f"{ix.name(p)} waited {text.ms(ix.duration(i))} on {ix.call(i)}"
    if n > 1:
        what += f" (the slowest of {n} calls)"
    what += ", a service you do not control"
    what += f", and it failed: {ix.error_text(i)}." if failed else "."
    if timeout is not None:
        guard = f" The call has a {text.ms(timeout)} timeout but no circuit breaker"
    elif breaker:
        guard = " The call has a circuit breaker but no timeout"
    elif ix.flow is not None and ix.edge(i) is not None:
        guard = " The call sets no timeout and no circuit breaker"
    else:
        guard = " The trace shows no timeout and no circuit breaker around it"
    guard += (
        ": every request keeps trying a dependency that is failing."
        if failed
        else ": when it hangs, the request hangs with it."
    )
    if ix.on_path[i] and text.share(ix.duration(i), ix.response_ms) >= 0.1:
        guard += f" It is {text.pct(ix.duration(i), ix.response_ms)} of the response."
    severity: Severity = "critical" if failed and ix.failed[ix.entry] and ix.on_path[i] else "warning"
    title = (
        f"{ix.name(i)} failed and nothing guards {ix.name(p)}'s call"
        if failed
        else f"Slow external call: {ix.name(i)} took {text.ms(ix.duration(i))} unguarded"
    )
    return RULE.draft(
        "external-dependency",
        severity,
        title,
        what + guard,
        ix.by_start(group),
        tip="A third party's bad day becomes yours unless the call is bounded: a timeout caps the wait, a "
        "circuit breaker stops calling while it is down.",
        fix=_fix(timeout is not None, breaker),
        impact_ms=ix.duration(i),
        focus=[i],
    )


def _fix(has_timeout: bool, has_breaker: bool) -> str:
    missing = []
    if not has_timeout:
        missing.append("a timeout (about twice its healthy p99)")
    if not has_breaker:
        missing.append("a circuit breaker that fails fast after repeated failures")
    return (
        f"Add {' and '.join(missing)}; move calls the user need not wait for (email, analytics) onto a queue."
    )


RULE = Rule(
    id="external_dependency",
    title="Slow or failing external dependency without timeout or circuit breaker",
    topic="external",
    check=_check,
)
