"""Critical path and bottleneck: the chain of spans that decides the response time.

Walk back from the end of the entry span: the synchronous child that finished last before the cursor
is on the path; descend into it, then continue from its start. Time between those children is the
span's own work (its *critical self time*). Async children (``follows_from``, consumers) never block
the caller and are left off; children are clamped to their parent's window (and a child orphaned by a
timeout to the moment the caller's ``timeout`` event fired), so clock skew and orphaned work count only
for the time the caller really waited. Iterative, O(n log n): a
100,000-deep chain and a 100,000-wide fan-out are both fine.

The bottleneck is the span with the largest critical self time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule

SLOW_SELF_MS = 1000.0  # own work this long, and most of the response: a warning, not a remark
SLOW_SHARE = 0.5


@dataclass(frozen=True)
class CriticalPath:
    spans: list[int]  # root first (pre-order)
    self_ms: dict[int, float]  # critical self time per span on the path
    backoff_ms: dict[int, float]  # the part of a span's self time spent waiting between retries
    bottleneck: int | None

    def work_ms(self, i: int) -> float:
        """Self time that is not retry backoff: the span's own work (or time no span covers)."""
        return max(0.0, self.self_ms[i] - self.backoff_ms.get(i, 0.0))


def critical_path(ix: TraceIndex) -> CriticalPath:
    return ix.memo("critical-path", _compute)


def _kids(ix: TraceIndex, i: int, ws: float, we: float) -> list[tuple[float, float, int]]:
    """Span i's synchronous children clamped to its window ``[ws, we]``, last to finish first (ties: the
    longest), as ``(end, start, child)``."""
    start, end, asynch = ix.start, ix.end, ix.asynch
    kids: list[tuple[float, float, int]] = []
    gave_up: list[float] | None = None
    for c in ix.children[i]:
        if asynch[c]:
            continue
        cs = start[c] if start[c] > ws else ws
        ce = end[c]
        if ce > we:  # clamp; an orphaned child counts until the caller's timeout fired
            if gave_up is None:
                gave_up = [ev.time_ms for ev in ix.spans[i].events if ev.name == "timeout"]
            ce = min([we, *(t for t in gave_up if t >= start[c])])
        if ce - cs > EPS:
            kids.append((ce, cs, c))
    if len(kids) > 1:  # two stable sorts in C: by start, then by end descending
        kids.sort(key=itemgetter(1))
        kids.sort(key=itemgetter(0), reverse=True)
    return kids


def _compute(ix: TraceIndex) -> CriticalPath:
    e = ix.entry
    if e < 0:
        return CriticalPath([], {}, {}, None)
    own = [0.0] * ix.n  # critical self time, for the spans in `path`
    path = [e]
    # frames: [span, window start, cursor, children, next child]; the cursor walks back in time
    stack: list[list[Any]] = [[e, ix.start[e], ix.end[e], _kids(ix, e, ix.start[e], ix.end[e]), 0]]
    while stack:
        f = stack[-1]
        i, ws, cursor, kids, pos = f
        while pos < len(kids) and kids[pos][0] > cursor + EPS:
            pos += 1  # it ends after the cursor: a sibling running in parallel with a longer one
        if pos < len(kids):
            ce, cs, c = kids[pos]
            if cursor > ce:
                own[i] += cursor - ce
            f[2], f[4] = cs, pos + 1  # when the child is done, the parent's path goes on from its start
            path.append(c)
            stack.append([c, cs, ce, _kids(ix, c, cs, ce), 0])
        else:
            if cursor > ws:
                own[i] += cursor - ws
            stack.pop()
    self_ms = {i: own[i] for i in path}
    spans = sorted(self_ms, key=ix.rank.__getitem__)
    backoff: dict[int, float] = {}
    for g in calls.groups(ix):
        if g.parent in self_ms:
            for run in g.runs:
                if len(run) > 1 and all(c in self_ms for c in run):
                    gaps = sum(max(0.0, ix.start[b] - ix.end[a]) for a, b in itertools.pairwise(run))
                    backoff[g.parent] = min(self_ms[g.parent], backoff.get(g.parent, 0.0) + gaps)
    depth = ix.depth
    bottleneck = max(spans, key=lambda i: (self_ms[i] - backoff.get(i, 0.0), depth[i]))
    return CriticalPath(spans, self_ms, backoff, bottleneck)


def _check(ix: TraceIndex) -> list[Draft]:
    if ix.n == 0:
        return [
            RULE.draft(
                "critical-path",
                "info",
                "The trace has no spans",
                "There is nothing to analyse: the trace holds no spans.",
                [],
            )
        ]
    cp = critical_path(ix)
    response = ix.response_ms
    e = ix.entry
    off_path = [i for i in range(ix.n) if not ix.on_path[i]]
    out: list[Draft] = []
    if len(cp.spans) == 1:
        title = f"One span decides the {text.ms(response)} response"
        detail = f"{ix.call(e)} is the whole response: its own work, with no synchronous call in the way."
    else:
        title = f"Critical path: {text.count(len(cp.spans), 'span')} decide the {text.ms(response)} response"
        route = _route(ix, cp)
        by_service: dict[str, float] = {}
        for i, t in cp.self_ms.items():
            name = ix.name(i)
            by_service[name] = by_service.get(name, 0.0) + t
        top = sorted(by_service.items(), key=lambda kv: -kv[1])[:3]
        parts = [f"{name} {text.ms(t)} ({text.pct(t, response)})" for name, t in top]
        detail = f"{route}. Time on the path by service: {text.listing(parts)}."
        waited = sum(cp.backoff_ms.values())
        if waited > 0:
            detail += f" {text.ms(waited)} of it is backoff between retries."
    if off_path:
        end = max(ix.end[i] for i in off_path)
        detail += (
            f" {text.count(len(off_path), 'span')} ran off the response path (async or detached), "
            f"until {text.ms(end - ix.start[e])}: they do not delay the caller."
        )
    out.append(
        RULE.draft(
            "critical-path",
            "info",
            title,
            detail,
            cp.spans,
            tip="Only spans on the critical path make the response slower: speeding up anything else "
            "does not change what the caller waits for.",
        )
    )
    b = cp.bottleneck
    if b is not None and len(cp.spans) > 1 and cp.work_ms(b) > 0:
        own = cp.work_ms(b)
        slow = own >= SLOW_SELF_MS and text.share(own, response) >= SLOW_SHARE
        detail = (
            f"{ix.call(b)} accounts for {text.ms(own)} of the critical path outside any child span — its own "
            f"work, or time no span covers (network, queueing, a cold start): {text.pct(own, response)} of "
            "the response, the largest share."
        )
        if cp.backoff_ms.get(b, 0.0) > 0:
            detail += f" Another {text.ms(cp.backoff_ms[b])} went to waiting between retries."
        elif ix.duration(b) - own > EPS:
            detail += f" The span lasts {text.ms(ix.duration(b))} in all."
        out.append(
            RULE.draft(
                "bottleneck",
                "warning" if slow else "info",
                f"{ix.name(b)} is the bottleneck: {text.ms(own)} of {text.ms(response)}",
                detail,
                [b],
                tip="A span's self time is its bar minus its children's bars: the work it does itself.",
                fix=_BOTTLENECK_FIX.get(ix.role(b), _BOTTLENECK_FIX["service"]),
                impact_ms=own,
                focus=[b],
            )
        )
    return out


def _route(ix: TraceIndex, cp: CriticalPath) -> str:
    """The chain from the entry down to the bottleneck, plus the other spans the path runs through."""
    b = cp.bottleneck if cp.bottleneck is not None else cp.spans[-1]
    chain = [b]
    while ix.parent[chain[-1]] >= 0 and chain[-1] != ix.entry:
        chain.append(ix.parent[chain[-1]])
    chain.reverse()
    on_chain = set(chain)
    others: dict[str, int] = {}
    for i in cp.spans:
        if i not in on_chain:
            others[ix.name(i)] = others.get(ix.name(i), 0) + 1
    route = text.chain([ix.name(i) for i in chain])
    if others:
        names = [name if n == 1 else f"{name} ×{n:,}" for name, n in others.items()]
        route += f", with {text.listing(names)} one after another along the way"
    return route


_BOTTLENECK_FIX = {
    "store": "Look at the query plan (EXPLAIN ANALYZE): add the missing index, fetch fewer rows, or cache "
    "the result.",
    "external": "Cache its answers where you can, and move calls the user does not need to wait for onto a "
    "queue.",
    "service": "Profile the service's own code (CPU, locks, serialisation): its self time is not spent "
    "waiting on calls.",
    "function": "Check cold starts and the function's memory size; keep the work the caller waits for small.",
    "proxy": "A proxy should add milliseconds: check its connection pool, TLS handshakes and rate limits.",
    "client": "The client's own time: rendering, serialisation or the network before the first byte.",
    "broker": "Publishing should be quick: check the broker's acks, batching and partition leaders.",
}

RULE = Rule(
    id="critical_path",
    title="Critical path and bottleneck",
    topic="latency",
    check=_check,
)
