"""Error origin and blast radius: where an error started, how far it spread, and who stopped it.

The origin is the deepest failing span: when the caller saw an error, the deepest span of the chain of
failing synchronous calls under the entry span (what the caller's error came from); otherwise the
deepest failing span anywhere (ties: the earliest). Its blast radius is the failing ancestors it took
down with it; the first ancestor that did not fail *handled* the error. An error that crosses an async
hop reaches no caller at all (see the after-response rule).

Other failures that were handled on the response path, and are not retries (see the retries rule), are
reported too, grouped by service and operation.
"""

from __future__ import annotations

from dataclasses import dataclass

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.flow import Severity

MAX_GROUPS = 3


@dataclass(frozen=True)
class ErrorOrigin:
    origin: int
    chain: list[int]  # the origin, then each ancestor that failed because of it
    handler: int | None  # the first ancestor that did not fail
    reached_caller: bool  # the chain reaches the entry span: the caller saw the error
    async_hop: bool  # the chain stops at an async hop: nobody was waiting


def error_origin(ix: TraceIndex) -> ErrorOrigin | None:
    return ix.memo("error-origin", _compute)


def _deeper(ix: TraceIndex, a: int, b: int) -> bool:
    """Is span a a better origin than span b: deeper, or as deep and earlier."""
    return (ix.depth[a], -ix.start[a], -a) > (ix.depth[b], -ix.start[b], -b)


def _compute(ix: TraceIndex) -> ErrorOrigin | None:
    failed = ix.failed
    e = ix.entry
    if e >= 0 and failed[e]:
        best, stack = e, [e]
        while stack:
            i = stack.pop()
            if _deeper(ix, i, best):
                best = i
            stack.extend(c for c in ix.children[i] if failed[c] and not ix.asynch[c])
    else:
        failing = [i for i in range(ix.n) if failed[i]]
        if not failing:
            return None
        best = failing[0]
        for i in failing[1:]:
            if _deeper(ix, i, best):
                best = i
    chain, handler, async_hop = spread(ix, best)
    return ErrorOrigin(best, chain, handler, chain[-1] == e, async_hop)


def failure_tops(ix: TraceIndex) -> dict[int, int]:
    """For every failing span, the topmost span of the unbroken chain of failing synchronous calls it
    belongs to. One pass in pre-order (parents first), so a thousand failures share their chain."""

    def compute(ix: TraceIndex) -> dict[int, int]:
        top: dict[int, int] = {}
        failed, parent, asynch = ix.failed, ix.parent, ix.asynch
        for i in ix.order:
            if failed[i]:
                p = parent[i]
                top[i] = top[p] if p >= 0 and failed[p] and not asynch[i] else i
        return top

    return ix.memo("failure-tops", compute)


def handler_of(ix: TraceIndex, i: int) -> int | None:
    """The ancestor that stopped failing span i's error (None: it reached a root or an async hop)."""
    t = failure_tops(ix)[i]
    p = ix.parent[t]
    return p if p >= 0 and not ix.asynch[t] else None


def spread(ix: TraceIndex, origin: int) -> tuple[list[int], int | None, bool]:
    """The failing chain above a failure, the ancestor that handled it, and whether it hit an async hop."""
    chain = [origin]
    i = origin
    while True:
        p = ix.parent[i]
        if p < 0:
            return chain, None, False
        if ix.asynch[i]:
            return chain, None, True
        if not ix.failed[p]:
            return chain, p, False
        chain.append(p)
        i = p


def _check(ix: TraceIndex) -> list[Draft]:
    eo = error_origin(ix)
    if eo is None:
        return []
    # a failure off the response path is the after-response rule's story; one a retry replaced, the
    # retries rule's
    told_elsewhere = not ix.on_path[eo.origin] or (
        not eo.reached_caller and eo.origin in calls.superseded(ix)
    )
    out = [] if told_elsewhere else [_origin_draft(ix, eo)]
    out.extend(_handled_drafts(ix, eo))
    return out


def _origin_draft(ix: TraceIndex, eo: ErrorOrigin) -> Draft:
    o = eo.origin
    what = f"{ix.call(o)} failed: {ix.error_text(o)}."
    severity: Severity
    above = [ix.name(i) for i in eo.chain[1:]]
    if eo.reached_caller:
        severity = "critical"
        title = f"The error starts in {ix.name(o)}"
        if above:
            tail = (
                f" It propagated through {text.count(len(above), 'span')} — {text.chain(above)} — so the "
                f"caller got an error after {text.ms(ix.response_ms)}."
            )
        else:
            tail = f" The caller got the error after {text.ms(ix.response_ms)}."
        detail = what + tail
        impact = ix.response_ms
    else:  # on the response path, a failure that does not reach the caller met a handler
        h = eo.handler if eo.handler is not None else ix.entry
        severity = "warning"
        title = f"{ix.name(o)} failed and {ix.name(h)} handled it"
        via = f" (it failed {text.listing(above)} on the way)" if above else ""
        detail = (
            f"{what} {ix.name(h)} caught the error{via} and went on, so the caller got a success. A handled "
            f"error still costs time ({text.ms(ix.duration(o))} here) and hides a broken dependency until "
            "someone looks."
        )
        impact = ix.duration(o)
    return RULE.draft(
        "error-origin",
        severity,
        title,
        detail,
        list(eo.chain),
        tip="Follow the red spans down to the deepest one: that is where the error started; the ones above "
        "it only passed it on.",
        fix=_fix(ix.error_text(o)),
        impact_ms=impact,
        focus=[o],
    )


def _fix(error: str) -> str:
    low = error.lower()
    if ("time" in low and "out" in low) or "deadline" in low or "no response" in low:
        return (
            "Bound the wait with a timeout near the dependency's healthy p99, fail fast, and answer 503 with "
            "Retry-After instead of holding the caller."
        )
    if "refused" in low or "unavailable" in low or "down" in low or "503" in low:
        return (
            "Put a circuit breaker on the client so a dead dependency is skipped at once, and decide on a "
            "fallback (cached, partial or queued) the caller can live with."
        )
    if "429" in low or "rate" in low or "too many" in low:
        return "Respect Retry-After, back off with jitter, and smooth bursts with a queue or a token bucket."
    return (
        "Handle the failure where it starts: return a clear error, or degrade gracefully (a cached or "
        "partial answer) instead of failing the whole request."
    )


def _handled_drafts(ix: TraceIndex, eo: ErrorOrigin) -> list[Draft]:
    """Failures on the response path, other than the origin's chain, that an ancestor absorbed."""
    replaced = calls.superseded(ix)  # failed attempts a retry replaced: the retries rule tells those
    in_chain = set(eo.chain)
    groups: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for i in range(ix.n):
        if not ix.failed[i] or i in in_chain or not ix.on_path[i] or i in replaced:
            continue
        if any(ix.failed[c] and not ix.asynch[c] for c in ix.children[i]):
            continue  # not where this failure started
        handler = handler_of(ix, i)
        if handler is None or failure_tops(ix)[i] == eo.chain[-1]:
            continue  # unhandled, or part of the origin's own story
        key = (ix.name(i), calls.op_key(ix.spans[i].operation), ix.name(handler))
        groups.setdefault(key, []).append((i, handler))
    ranked = sorted(groups.values(), key=lambda g: -sum(ix.duration(i) for i, _ in g))
    out = []
    for members in ranked[:MAX_GROUPS]:
        first, handler = members[0]
        spans = [i for i, _ in members]
        n = len(members)
        out.append(
            RULE.draft(
                "handled-error",
                "warning",
                f"{ix.name(first)} failed{'' if n == 1 else ' ' + text.times(n)} and "
                f"{ix.name(handler)} handled it",
                f"{ix.call(first)} failed: {ix.error_text(first)}. {ix.name(handler)} went on without it"
                + (f" ({text.count(n, 'failure')})." if n > 1 else ".")
                + " The request did not fail, but the trace shows the broken dependency.",
                spans,
                tip="A handled error leaves a red child under a green parent — look for those.",
                fix="Alert on handled errors too (a rate, not each one): a fallback that runs all the time "
                "is an outage in disguise.",
                impact_ms=sum(ix.duration(i) for i in spans),
                focus=spans[:1],
            )
        )
    return out


RULE = Rule(id="error_origin", title="Error origin and blast radius", topic="error", check=_check)
