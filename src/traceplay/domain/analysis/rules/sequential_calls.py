"""Sequential calls that could run in parallel.

Under one parent, synchronous calls to *different* dependencies (services) that run one after another
cost the sum of their times; started together they would cost the slowest one. The saving is the time
the calls cover (overlaps counted once) minus the longest dependency — calls to the same dependency
stay in sequence in this estimate (batching them is the repeated-calls rule's advice; rounds of a
loop depend on each other).

Left out, because their answer decides what comes next: retries, gates (auth, secrets, feature flags,
a cache lookup), language-model calls (the tools an agent calls next depend on the model's answer)
and the steps of an orchestrator (a Step Functions state machine orders them on purpose). Reported
when the saving is worth it: over 100 ms, or over 10 % of the response (and at least 20 ms) for calls
on the response path. A parent that repeats the same pattern (a loop) is reported once.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule

MIN_SAVING_MS = 100.0
MIN_SAVING_SHARE = 0.10
WARN_SAVING_MS = 500.0
WARN_SAVING_SHARE = 0.20
NOISE_MS = 20.0  # below this a percentage of a tiny response is noise, not an opportunity
MAX_FINDINGS = 3
ORCHESTRATORS = frozenset({"step-functions"})  # a state machine orders its steps on purpose


def _check(ix: TraceIndex) -> list[Draft]:
    retried = calls.retries(ix)
    found: dict[str, list[tuple[float, int, list[int], float, float]]] = {}
    dur, asynch, start, end = ix.dur, ix.asynch, ix.start, ix.end
    # the least saving worth a finding: anything smaller is not looked at any closer
    floor = min(MIN_SAVING_MS, max(NOISE_MS, MIN_SAVING_SHARE * ix.response_ms))
    for p in range(ix.n):
        kids = ix.children[p]
        if len(kids) < 2:
            continue
        sync_kids = [c for c in kids if not asynch[c]]
        if len(sync_kids) < 2 or ix.spans[p].component in ORCHESTRATORS:
            continue
        # the saving is at most the time the calls cover (no more than their sum, no more than from the
        # first start to the last end) minus the longest: when even that is too small, look no closer
        longest = max(dur[c] for c in sync_kids)
        extent = max(end[c] for c in sync_kids) - min(start[c] for c in sync_kids)
        if min(sum(dur[c] for c in sync_kids), extent) - longest < floor:
            continue
        sync = [c for c in sync_kids if c not in retried]
        # gates and model calls decide what comes next: what follows them depends on their answer
        cands = [c for c in sync if not ix.is_gate(c) and not ix.is_llm(c)]
        per_key: dict[str, float] = {}  # time per dependency: calls to one service stay in sequence
        for c in cands:
            k = ix.name(c)
            per_key[k] = per_key.get(k, 0.0) + dur[c]
        if len(per_key) < 2:
            continue
        covered, waves = calls.union_ms(ix, cands)
        if waves < 2:
            continue  # already running together
        together = max(per_key.values())
        saving = covered - together
        worth = saving > MIN_SAVING_MS or (
            ix.on_path[p] and saving >= NOISE_MS and text.share(saving, ix.response_ms) > MIN_SAVING_SHARE
        )
        if worth:
            found.setdefault(ix.name(p), []).append((saving, p, cands, covered, together))
    # one finding per calling service: a loop that repeats the same pattern says it once
    best = sorted(((*max(group), len(group)) for group in found.values()), key=lambda c: -c[0])
    out = []
    for saving, p, cands, covered, together, times_seen in best[:MAX_FINDINGS]:
        on_path = ix.on_path[p]
        big = saving >= WARN_SAVING_MS or (
            on_path and text.share(saving, ix.response_ms) >= WARN_SAVING_SHARE
        )
        gain = (
            f"{text.ms(saving)} ({text.pct(saving, ix.response_ms)} of the response) saved"
            if on_path
            else f"the async work would finish {text.ms(saving)} sooner"
        )
        detail = (
            f"{ix.name(p)} calls {text.listing(_listed(ix, cands), 5)} one after another: "
            f"{text.ms(covered)}. If they do not need each other's results, starting them together takes "
            f"about {text.ms(together)} (the slowest) — {gain}."
        )
        if times_seen > 1:
            detail += f" The same pattern appears in {times_seen} {ix.name(p)} spans."
        out.append(
            RULE.draft(
                "sequential-calls",
                "warning" if big else "info",
                f"{ix.name(p)} could save {text.ms(saving)} by calling in parallel",
                detail,
                cands,  # children are in start order already
                tip="In a waterfall, bars that sit end to end under one parent ran one after another; bars "
                "that start together ran in parallel.",
                fix="Start independent calls together and wait once (asyncio.gather, Promise.all, "
                "CompletableFuture.allOf, errgroup) — with one timeout for the group.",
                impact_ms=saving,
                focus=cands,  # the calls: an authored "these run one after the other" covers them
            )
        )
    return out


def _listed(ix: TraceIndex, cands: list[int]) -> list[str]:
    """``db ×20 (240 ms)``, ``users (40.0 ms)``: one entry per dependency, in call order."""
    per: dict[str, list[int]] = {}
    for c in cands:
        per.setdefault(ix.name(c), []).append(c)
    out = []
    for members in per.values():
        total = text.ms(sum(ix.duration(c) for c in members))
        name = ix.name(members[0])
        out.append(f"{name} ×{len(members)} ({total})" if len(members) > 1 else f"{name} ({total})")
    return out


RULE = Rule(
    id="sequential_calls",
    title="Sequential calls that could run in parallel",
    topic="parallel",
    check=_check,
)
