"""Queue wait on async hops: the time a message sat in a queue before a consumer picked it up.

For an async span (a consumer, or a ``follows_from`` child) that starts after its parent ended, the gap
is queue wait — invisible in the producer's timing, visible only as the space between the publish and
the consumer's bar. Reported per broker and consumer from 100 ms (info); a warning from a second.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.flow import Severity

MIN_WAIT_MS = 100.0
WARN_WAIT_MS = 1000.0
LAG_KEYS = ("messaging.kafka.consumer.lag", "messaging.consumer.lag")
MAX_FINDINGS = 3


def _check(ix: TraceIndex) -> list[Draft]:
    redelivered = calls.retries(ix)  # a redelivery waits out a backoff: the retries rule's story
    hops: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i in range(ix.n):
        p = ix.parent[i]
        if p < 0 or not ix.asynch[i] or i in redelivered:
            continue
        wait = ix.start[i] - ix.end[p]
        if wait >= MIN_WAIT_MS - EPS:
            hops.setdefault((ix.name(p), ix.name(i)), []).append((wait, i))
    ranked = sorted(hops.values(), key=lambda h: -max(w for w, _ in h))
    return [_draft(ix, group) for group in ranked[:MAX_FINDINGS]]


def _draft(ix: TraceIndex, group: list[tuple[float, int]]) -> Draft:
    wait, i = max(group)
    p = ix.parent[i]
    n = len(group)
    severity: Severity = "warning" if wait >= WARN_WAIT_MS else "info"
    broker = ix.role(p) == "broker"
    if broker:
        title = f"Messages wait {text.ms(wait)} in {ix.name(p)} for {ix.name(i)}"
        head = f"A message waited {text.ms(wait)} in {ix.name(p)} before {ix.call(i)} picked it up"
    else:
        title = f"{ix.name(i)} starts {text.ms(wait)} after {ix.name(p)} handed off"
        head = (
            f"{ix.call(i)} started {text.ms(wait)} after {ix.name(p)} handed the work off (a queue, a "
            "replication or delivery lag)"
        )
    detail = (
        head
        + (f" (the longest of {n} deliveries)" if n > 1 else "")
        + f"; the consumer then worked {text.ms(ix.duration(i))}, so the wait is "
        f"{text.pct(wait, wait + ix.duration(i))} of the time from hand-off to done."
    )
    lag = next((ix.spans[i].attributes.get(k) for k in LAG_KEYS if k in ix.spans[i].attributes), None)
    if lag is not None:
        detail += f" The consumer reports a lag of {lag} messages."
    return RULE.draft(
        "queue-wait",
        severity,
        title,
        detail,
        [p, *ix.by_start(i for _, i in group)],
        tip="Queue wait never shows in the producer's timing: it is the gap between the hand-off and the "
        "consumer's span.",
        fix="Watch consumer lag (messages, or the age of the oldest message); scale consumers or partitions, "
        "and move slow work onto its own queue.",
        impact_ms=wait,
        focus=[i],
    )


RULE = Rule(id="queue_wait", title="Queue wait on async hops", topic="queue", check=_check)
