"""The summary of a comparison: a few sentences computed from it — the status change, where the
response time went, what happened to the work after the response, queue waits, new and gone spans."""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.analysis.rules.error_origin import error_origin
from traceplay.domain.compare.model import Comparison, Contributor, SpanDelta
from traceplay.domain.compare.side import SAME_MS, Side, same

MAX_NAMES = 3


def _who(c: Contributor) -> str:
    who = f"{c.service} `{text.short(c.operation, 48)}`" if c.operation != c.service else c.service
    if c.calls > 1:
        who += f" ({c.calls:,} calls)"
    if c.added:
        return f"the new call to {who}"
    if c.removed:
        return f"{who}, no longer called"
    return who


def summary(c: Comparison, b: Side, o: Side, label: str) -> str:
    base, other = c.base, c.other
    d = c.response_delta_ms
    sentences = []
    if c.status_change == "failing":
        sentences.append(
            f"Now the request fails: an error after {text.ms(other.response_ms)}, where {label} succeeded "
            f"after {text.ms(base.response_ms)}."
        )
        eo = error_origin(o.ix)
        if eo is not None:
            sentences.append(f"The error starts in {o.ix.call(eo.origin)}: {o.ix.error_text(eo.origin)}.")
    elif c.status_change == "recovered":
        sentences.append(
            f"Now the request succeeds in {text.ms(other.response_ms)}, where {label} failed after "
            f"{text.ms(base.response_ms)}."
        )
    if same(base.response_ms, other.response_ms) and abs(d) < SAME_MS * 2:
        if c.status_change is None:
            sentences.append(f"The response time is the same: {text.ms(other.response_ms)}.")
    else:
        sign = "+" if d > 0 else "−"
        head = f"{sign}{text.ms(abs(d))} ({text.ms(base.response_ms)} → {text.ms(other.response_ms)})"
        top = c.where[0] if c.where else None
        if top is not None and (top.delta_ms > 0) == (d > 0) and top.share >= 0.5:
            verb = "adds" if d > 0 else "saves"
            if top.share > 1.0:
                head += f": {_who(top)} alone {verb} {text.ms(abs(top.delta_ms))}"
            else:
                head += f", {text.pct(top.share, 1.0)} of it {'in' if d > 0 else 'from'} {_who(top)}"
        elif top is not None and (top.delta_ms > 0) == (d > 0):
            movers = [w for w in c.where if (w.delta_ms > 0) == (d > 0)][:MAX_NAMES]
            head += ", spread over " + text.listing([f"{_who(w)} ({text.pct(w.share, 1.0)})" for w in movers])
        sentences.append(head + ".")
    sentences.extend(_tail(c))
    sentences.extend(_queue_waits(c, b, o, label))
    sentences.extend(_structure(c))
    return " ".join(sentences)


def _tail(c: Comparison) -> list[str]:
    """What happened to the work after the response (the trace's end against the response's)."""
    base, other = c.base, c.other
    d, dd = c.response_delta_ms, c.duration_delta_ms
    lasts = f"{text.ms(base.duration_ms)} → {text.ms(other.duration_ms)}"
    if same(base.duration_ms, other.duration_ms) and not same(base.response_ms, other.response_ms):
        moved = "moved after the response" if d < 0 else "now happens before the response"
        return [f"The trace lasts about as long ({lasts}): the work did not go away, it {moved}."]
    tail = dd - d  # change of the time from the response to the trace's end
    if abs(tail) <= SAME_MS or same(
        base.duration_ms - base.response_ms, other.duration_ms - other.response_ms
    ):
        return []
    longer = "longer" if tail > 0 else "shorter"
    return [f"The work after the response now runs {text.ms(abs(tail))} {longer} (the trace lasts {lasts})."]


def _queue_waits(c: Comparison, b: Side, o: Side, label: str) -> list[str]:
    """The async hop whose consumer now starts the most later (or sooner) after its publish."""
    pos = {s.span_id: i for i, s in enumerate(o.trace.spans)}
    base_pos = {s.span_id: i for i, s in enumerate(b.trace.spans)}
    best: SpanDelta | None = None
    for s in c.spans:
        d = s.offset_delta_ms
        if d is None or abs(d) <= SAME_MS or s.other_span_id is None or s.base_span_id is None:
            continue
        if not (o.ix.asynch[pos[s.other_span_id]] and b.ix.asynch[base_pos[s.base_span_id]]):
            continue  # a call that became a message (or back) has no queue wait to compare
        if best is None or abs(d) > abs(best.offset_delta_ms or 0.0):
            best = s
    if best is None or best.offset_delta_ms is None:
        return []
    d = best.offset_delta_ms
    return [
        f"{best.service} picks its message up {text.ms(abs(d))} {'later' if d > 0 else 'sooner'} after the "
        f"publish than in {label}: {'a longer' if d > 0 else 'a shorter'} wait in the queue."
    ]


def _structure(c: Comparison) -> list[str]:
    out = []
    for change, word in (("added", "new"), ("removed", "gone")):
        spans = [s for s in c.spans if s.change == change]
        if spans:
            names = list(dict.fromkeys(f"{s.service} `{text.short(s.operation, 40)}`" for s in spans))
            out.append(f"{text.count(len(spans), 'span')} {word}: {text.listing(names, MAX_NAMES)}.")
    for change, word in (("failing", "now fail"), ("recovered", "no longer fail")):
        spans = [s for s in c.spans if s.status_change == change]
        if spans:
            names = list(dict.fromkeys(s.service for s in spans))
            verb = word if len(spans) > 1 else word.replace("fail", "fails")
            out.append(f"{text.count(len(spans), 'span')} {verb}: {text.listing(names, MAX_NAMES)}.")
    return out
