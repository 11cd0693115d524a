""" "202 is not success": work that fails, or goes on, after the caller got its answer.

The response leaves when the entry span ends. Spans that end later — async consumers, jobs, work
orphaned by a timeout — run with nobody waiting: their errors reach no caller. Two findings:

- a failure off the response path (an async subtree, a detached root, or after the response) while
  the caller saw success: critical — the caller was told "done" (or "accepted") and it is not;
- work still running after the response: info, with how long and what it is.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.analysis.rules.error_origin import error_origin, handler_of


def _status_text(ix: TraceIndex) -> str:
    attrs = ix.spans[ix.entry].attributes
    code = attrs.get("http.response.status_code", attrs.get("http.status_code"))
    if isinstance(code, int | str) and not isinstance(code, bool) and str(code).isdigit():
        return f"HTTP {code}"
    return "an error" if ix.failed[ix.entry] else "a success"


def _check(ix: TraceIndex) -> list[Draft]:
    e = ix.entry
    if e < 0:
        return []
    out: list[Draft] = []
    resp_end = ix.response_end
    after = [i for i in range(ix.n) if ix.end[i] > resp_end + EPS]
    eo = error_origin(ix)
    told = set(eo.chain) if eo is not None and eo.reached_caller else set()  # the caller saw those
    told |= calls.superseded(ix)  # an attempt a retry replaced: the retries rule's story
    lost = [
        i
        for i in range(ix.n)
        if ix.failed[i] and i not in told and (not ix.on_path[i] or ix.end[i] > resp_end + EPS)
    ]
    lost = _origins(ix, lost)
    if lost:
        first = min(lost, key=lambda i: ix.end[i])
        when = "after the response" if ix.end[first] > resp_end + EPS else "off the response path"
        caller_ok = not ix.failed[e]
        # handled inside the async work (a worker that caught its email API's error) is less serious
        unhandled = [i for i in lost if handler_of(ix, i) is None]
        status = _status_text(ix)
        n = len(lost)
        title = (
            f"The caller got {status}, but {ix.name(first)} failed {when}"
            if caller_ok
            else f"{ix.name(first)} also failed {when}"
        )
        others = f" ({text.count(n - 1, 'other failure')} too)" if n > 1 else ""
        detail = (
            f"The response ({status}) left at {text.ms(ix.response_ms)}; {ix.call(first)} failed at "
            f"{text.ms(ix.end[first] - ix.start[e])}: {ix.error_text(first)}{others}. Nobody waits for "
            "this work, so the error reaches no one unless it is monitored."
        )
        out.append(
            RULE.draft(
                "after-response-failure",
                "critical" if caller_ok and unhandled else "warning",
                title,
                detail,
                lost,
                tip="202 Accepted (or 200 from a queue hand-off) means 'received', not 'done': read the "
                "consumers' spans, not only the response.",
                fix="Give async work retries with backoff, a dead-letter queue and an alert; expose the "
                "job's status (GET /jobs/{id}) or notify the user when it fails.",
                impact_ms=max(ix.duration(i) for i in lost),
                focus=lost[:1],
            )
        )
    if after:
        tops = [i for i in after if ix.parent[i] < 0 or ix.end[ix.parent[i]] <= resp_end + EPS]
        tops = ix.by_start(tops)
        extra = ix.trace_end - resp_end
        orphaned = [i for i in tops if ix.on_path[i]]
        detail = (
            f"The caller got its answer at {text.ms(ix.response_ms)}; the trace ends at "
            f"{text.ms(ix.trace_end - ix.start[e])}. {text.count(len(after), 'span')} still ran after the "
            f"response, started by {text.listing([ix.call(i) for i in tops], 3)}."
        )
        if orphaned:
            who = (
                "It is"
                if len(after) == 1
                else f"{len(orphaned):,} of them {'is' if len(orphaned) == 1 else 'are'}"
            )
            detail += (
                f" {who} orphaned: a synchronous call whose caller stopped waiting (a timeout) — work nobody "
                "will use."
            )
        out.append(
            RULE.draft(
                "after-response-work",
                "info",
                f"Work goes on for {text.ms(extra)} after the response",
                detail,
                ix.by_start(after),
                tip="The response time is the entry span; the trace's duration runs to its last span. "
                "They differ exactly when work continues after the response.",
                fix="Make what runs after the response observable on its own: consumer lag, job duration and "
                "failures as metrics with alerts."
                if not orphaned
                else "Propagate deadlines (gRPC deadlines, context cancellation) so callees stop when the "
                "caller gives up.",
                impact_ms=extra,
                focus=tops,
            )
        )
    return out


def _origins(ix: TraceIndex, failing: list[int]) -> list[int]:
    """Keep the failures that started somewhere: drop those whose failing child explains them."""
    keep = set(failing)
    return [i for i in failing if not any(c in keep and not ix.asynch[c] for c in ix.children[i])]


RULE = Rule(
    id="after_response",
    title='"202 is not success": work failing or continuing after the response',
    topic="after_response",
    check=_check,
)
