"""Fan-out width: how many calls one span has running at the same time.

A sweep over each parent's children (sorted by start, ends in a heap) gives the most that overlap. A
fan-out waits for its slowest branch, so tail latency grows with width: at 20 concurrent calls a
1-in-20 slow replica is on the path of most requests. Reported from 3 concurrent children (info), as
a warning from 20 synchronous ones.
"""

from __future__ import annotations

from traceplay.domain.analysis import text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule

MIN_WIDTH = 3
WARN_WIDTH = 20
MAX_FINDINGS = 2


def width(ix: TraceIndex, kids: list[int]) -> tuple[int, list[int]]:
    """The most children running at once, and the children of that widest moment. ``kids`` are in
    start order; a child that ends when another starts does not overlap it."""
    start, end = ix.start, ix.end
    ends = sorted(end[c] for c in kids)
    best, at, done = 0, 0.0, 0
    for k, c in enumerate(kids):
        t = start[c]
        while done < len(ends) and ends[done] <= t + EPS:
            done += 1
        running = k + 1 - done
        if running > best:
            best, at = running, t
    members = [c for c in kids if start[c] <= at and end[c] > at + EPS]
    return len(members), members  # zero-length spans count for no time at all


def _check(ix: TraceIndex) -> list[Draft]:
    found: dict[str, list[tuple[int, int, list[int]]]] = {}
    for p in range(ix.n):
        kids = ix.children[p]
        if len(kids) < MIN_WIDTH:
            continue
        w, members = width(ix, kids)
        if w >= MIN_WIDTH:
            found.setdefault(ix.name(p), []).append((w, -p, members))
    # one finding per service: a loop that fans out every round says it once
    best = sorted(((max(g), len(g)) for g in found.values()), key=lambda b: -b[0][0])
    return [_draft(ix, w, -neg_p, members, seen) for (w, neg_p, members), seen in best[:MAX_FINDINGS]]


def _draft(ix: TraceIndex, w: int, p: int, members: list[int], seen: int) -> Draft:
    sync = [c for c in members if not ix.asynch[c]]
    slowest = max(members, key=lambda c: ix.duration(c))
    durations = sorted(ix.duration(c) for c in members)
    median = durations[len(durations) // 2]
    targets = sorted({ix.name(c) for c in members})
    kind = (
        "calls" if len(sync) == len(members) else "async deliveries" if not sync else "calls and deliveries"
    )
    detail = (
        f"{ix.name(p)} has {w} {kind} running at once (to {text.listing(targets, 4)}). "
        f"The slowest, {ix.call(slowest)}, takes {text.ms(ix.duration(slowest))}; the median "
        f"{text.ms(median)}."
    )
    if sync:
        detail += " The caller waits for the slowest branch: more branches, more odds of a slow one."
    if seen > 1:
        detail += f" {seen} {ix.name(p)} spans fan out like this."
    warn = len(sync) >= WARN_WIDTH
    return RULE.draft(
        "fan-out",
        "warning" if warn else "info",
        f"{ix.name(p)} fans out to {w} at once",
        detail,
        members,  # children are in start order already
        tip="A fan-out is as fast as its slowest branch: look at the longest bar, not the average.",
        fix="Bound the fan-out (a concurrency limit), give the whole group one deadline, and "
        "consider hedged requests or partial answers for the slowest branches."
        if sync
        else "Make each consumer idempotent and independent: one slow or failing subscriber must not "
        "hold up the others.",
        impact_ms=ix.duration(slowest),
        focus=[p],
    )


RULE = Rule(id="fan_out", title="Fan-out width", topic="fanout", check=_check)
