"""The analysis' one sentence: what happened, in the words a learner would use."""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rules.critical_path import CriticalPath
from traceplay.domain.analysis.rules.error_origin import ErrorOrigin


def headline(ix: TraceIndex, cp: CriticalPath, eo: ErrorOrigin | None) -> str:
    if ix.n == 0:
        return "The trace has no spans."
    e = ix.entry
    resp = text.ms(ix.response_ms)
    if ix.failed[e]:
        if eo is None or eo.origin == e:
            return (
                f"The request failed after {resp}: {ix.name(e)} answered with an error ({ix.error_text(e)})."
            )
        return (
            f"The request failed after {resp}: the error started in {ix.name(eo.origin)} and propagated to "
            f"{ix.name(e)}."
        )
    replaced = calls.superseded(ix)
    lost = [
        i
        for i in range(ix.n)
        if ix.failed[i] and i not in replaced and (not ix.on_path[i] or ix.end[i] > ix.response_end + EPS)
    ]
    if lost:
        first = min(lost, key=lambda i: ix.end[i])
        when = "after the response" if ix.end[first] > ix.response_end + EPS else "off the response path"
        return f"The caller got a success in {resp}, but {ix.name(first)} failed {when}."
    if eo is not None:
        o = ix.name(eo.origin)
        if eo.origin in replaced and ix.asynch[eo.chain[-1]]:
            when = (
                "after the response" if ix.end[eo.origin] > ix.response_end + EPS else "off the response path"
            )
            return f"The request succeeded in {resp}; {when} {o} failed, and a redelivery got through."
        if eo.origin in replaced and eo.handler is not None:
            return f"The request succeeded in {resp} after {ix.name(eo.handler)} retried {o}."
        if eo.handler is not None:
            return f"The request succeeded in {resp} although {o} failed: {ix.name(eo.handler)} handled it."
        return f"The request succeeded in {resp}; {o} failed off the response path."
    later = ""
    if ix.trace_end > ix.response_end + EPS:
        later = f", and work went on until {text.ms(ix.trace_end - ix.start[e])}"
    b = cp.bottleneck
    if b is None or len(cp.spans) < 2:
        return f"The request took {resp} in {ix.name(e)}'s own work{later}."
    own = cp.work_ms(b)
    return (
        f"The request succeeded in {resp}; {ix.name(b)} takes the largest share "
        f"({text.ms(own)}, {text.pct(own, ix.response_ms)}){later}."
    )
