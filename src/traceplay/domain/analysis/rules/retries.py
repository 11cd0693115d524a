"""Retries: a call tried again after it failed (or timed out).

Each run of attempts (see ``calls``) with two or more attempts is one retry story: how many tries,
why the failed ones failed, whether the last one got through, how much time the retries added and
whether they backed off. Retrying a call that is not idempotent (a POST, a payment) needs an
idempotency key; retrying a dependency that is down needs a circuit breaker.
"""

from __future__ import annotations

import itertools

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule

MAX_FINDINGS = 3
PAYMENT_COMPONENTS = frozenset({"stripe"})
HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"})


def _check(ix: TraceIndex) -> list[Draft]:
    stories = []
    for g in calls.groups(ix):
        for run in g.runs:
            if len(run) >= 2:
                stories.append(run)
    stories.sort(key=lambda run: -(ix.start[run[-1]] - ix.start[run[0]]))
    return [_draft(ix, run) for run in stories[:MAX_FINDINGS]]


def _draft(ix: TraceIndex, run: list[int]) -> Draft:
    first, last = run[0], run[-1]
    p = ix.parent[first]
    n = len(run)
    failed = [c for c in run if ix.failed[c] or ix.spans[c].attributes.get("traceplay.orphaned") is True]
    succeeded = not ix.failed[last] and last not in failed
    added = ix.start[last] - ix.start[first]
    gaps = [ix.start[b] - ix.end[a] for a, b in itertools.pairwise(run)]
    backoff = any(g > EPS for g in gaps)
    reasons = sorted({ix.error_text(c) for c in failed if ix.failed[c]}) or ["timed out"]
    why = text.listing([text.short(r, 60) for r in reasons], 2)
    if succeeded:
        outcome = f"{text.count(len(failed), 'attempt')} failed ({why}) before the last one got through"
    else:
        outcome = f"all {n} attempts failed ({why})"
    if not backoff:
        pause = "no backoff between attempts"
    elif max(gaps) - min(gaps) > EPS:
        pause = f"{text.ms(min(gaps))} to {text.ms(max(gaps))} of backoff between attempts"
    else:
        pause = f"{text.ms(gaps[0])} of backoff between attempts"
    tried = (
        f"{ix.call(first)} got the message {text.times(n)}"
        if ix.asynch[first]
        else f"{ix.name(p)} tried {ix.call(first)} {text.times(n)}"
    )
    detail = (
        f"{tried}: {outcome}. The retries added {text.ms(added)}"
        + (f" ({text.pct(added, ix.response_ms)} of the response)" if ix.on_path[first] else "")
        + f", with {pause}."
    )
    fixes = []
    if not backoff:
        fixes.append("Back off exponentially with jitter between attempts, and cap the total retry time.")
    if _not_idempotent(ix, first):
        fixes.append(
            "Send an idempotency key, so a retried request that did go through is not applied twice."
        )
    if not succeeded:
        fixes.append(
            "Stop retrying a dependency that keeps failing: a circuit breaker fails fast and lets it recover."
        )
    if not fixes:
        fixes.append(
            "Keep a retry budget (e.g. at most 10 % extra requests) so retries cannot become a storm."
        )
    if ix.asynch[first]:
        title = f"{ix.name(first)} got the same message {text.times(n)}" + (
            ", the last try worked" if succeeded else ", and failed each time"
        )
    elif succeeded:
        title = f"{ix.name(p)} retried {ix.name(first)} {text.times(n - 1)} and it worked"
    else:
        title = f"{ix.name(p)} retried {ix.name(first)} {text.times(n - 1)} in vain"
    return RULE.draft(
        "retries",
        "warning",
        title,
        detail,
        list(run),
        tip="Retries hide failures from the caller but not from the trace: each attempt is its own span. "
        "They also multiply the load on a dependency that is already struggling.",
        fix=" ".join(fixes),
        impact_ms=added,
        focus=list(run),
    )


def _not_idempotent(ix: TraceIndex, i: int) -> bool:
    s = ix.spans[i]
    if s.component in PAYMENT_COMPONENTS:
        return True
    verb = s.operation.strip().split(" ", 1)[0].upper()
    if verb in HTTP_METHODS:  # the operation names its method: trust it over a default attribute
        return verb in ("POST", "PATCH")
    method = s.attributes.get("http.request.method", s.attributes.get("http.method"))
    return isinstance(method, str) and method.upper() in ("POST", "PATCH")


RULE = Rule(id="retries", title="Retries", topic="retry", check=_check)
