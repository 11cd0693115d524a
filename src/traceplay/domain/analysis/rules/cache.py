"""Cache misses and fallbacks.

Under one parent, a cache lookup (Redis, Memcached, or any span with ``cache.hit``) followed by a call
to a store is the cache-aside miss path: lookup, read, often a write-back. The span's ``cache.hit``
attribute decides when present; without it, a read-like lookup (GET, MGET, HGET ...) followed by a
store call is taken as a miss. A cache lookup that *failed* and was followed by another call is a
fallback: the request survives, the database takes the load. Any other failed call followed by the
same operation (its first two words: ``GET /api/cart``) on a different service of the same kind
(another instance, a replica, another region) is a fallback too.
"""

from __future__ import annotations

from traceplay.domain.analysis import calls, text
from traceplay.domain.analysis.index import EPS, TraceIndex
from traceplay.domain.analysis.rule import Draft, Rule
from traceplay.domain.flow import Severity

READS = frozenset({"GET", "MGET", "HGET", "HGETALL", "HMGET", "EXISTS", "GETEX", "LOOKUP", "READ", "FETCH"})
WRITES = frozenset({"SET", "SETEX", "PSETEX", "MSET", "HSET", "HMSET", "SETNX", "PUT", "WRITE", "ADD"})
WARN_SHARE = 0.5
MAX_FINDINGS = 3
LOOKAHEAD = 20  # a fallback or a write-back comes within the next few calls


def _verb(ix: TraceIndex, i: int) -> str:
    return ix.spans[i].operation.strip().split(" ", 1)[0].upper()


def _check(ix: TraceIndex) -> list[Draft]:
    replaced = calls.superseded(ix)
    out: list[Draft] = []
    seen: set[tuple[str, str, str]] = set()
    parent, failed, asynch = ix.parent, ix.failed, ix.asynch
    callers: dict[int, None] = {}  # parents of a failed call or a cache lookup, in trace order
    for i in range(ix.n):
        p = parent[i]
        if p >= 0 and not asynch[i] and (failed[i] or ix.is_cache(i)) and len(ix.children[p]) > 1:
            callers.setdefault(p)
    for p in callers:
        kids = [c for c in ix.children[p] if not asynch[c] and c not in replaced]
        for k, c in enumerate(kids):
            if not (ix.failed[c] or ix.is_cache(c)):
                continue
            later = [x for x in kids[k + 1 : k + 1 + LOOKAHEAD] if ix.start[x] >= ix.end[c] - EPS]
            draft = _cache_story(ix, p, c, later) if ix.is_cache(c) else _fallback(ix, p, c, later)
            if draft is None:
                continue
            key = (draft.key, ix.name(c), ix.name(p))
            if key not in seen:
                seen.add(key)
                out.append(draft)
    out.sort(key=lambda d: -d.impact_ms)
    return out[:MAX_FINDINGS]


def _cache_story(ix: TraceIndex, p: int, c: int, later: list[int]) -> Draft | None:
    if _verb(ix, c) in WRITES:
        return None
    backing = next((x for x in later if not ix.is_cache(x)), None)
    if backing is None:
        return None
    hit = ix.spans[c].attributes.get("cache.hit")
    if ix.failed[c]:
        return _cache_down(ix, p, c, backing)
    if hit is True:
        return None
    if hit is None and (ix.role(backing) != "store" or _verb(ix, c) not in READS):
        return None
    write = next((x for x in later if ix.is_cache(x) and _verb(ix, x) in WRITES), None)
    spans = [c, backing] + ([write] if write is not None else [])
    cost = ix.end[spans[-1]] - ix.end[c]
    severity: Severity = (
        "warning" if text.share(cost, ix.response_ms) >= WARN_SHARE and ix.on_path[p] else "info"
    )
    detail = (
        f"{ix.name(c)} did not have the key ({text.short(ix.spans[c].operation, 40)}), so {ix.name(p)} "
        f"read {ix.call(backing)} in {text.ms(ix.duration(backing))}"
        + (
            f" and wrote the value back ({text.short(ix.spans[write].operation, 40)})"
            if write is not None
            else ""
        )
        + f". The miss path cost {text.ms(cost)}"
        + (f" ({text.pct(cost, ix.response_ms)} of the response)" if ix.on_path[p] else "")
        + f"; on a hit, {ix.name(backing)} is not called at all."
    )
    return RULE.draft(
        "cache-miss",
        severity,
        f"Cache miss: {ix.name(p)} went to {ix.name(backing)}",
        detail,
        spans,
        tip="A miss is normal after a deploy or an eviction; many misses at once (keys expiring "
        "together) can stampede the database.",
        fix="Warm hot keys, add jitter to TTLs, and let one request refill a key while the others wait "
        "(request coalescing / single-flight).",
        impact_ms=cost,
        focus=[c],
    )


def _cache_down(ix: TraceIndex, p: int, c: int, backing: int) -> Draft:
    return RULE.draft(
        "cache-fallback",
        "warning",
        f"{ix.name(c)} failed, {ix.name(p)} fell back to {ix.name(backing)}",
        f"{ix.call(c)} failed ({ix.error_text(c)}) and {ix.name(p)} went on to {ix.call(backing)} "
        f"({text.ms(ix.duration(backing))}). The request survived, but while the cache is down every request "
        f"pays {ix.name(backing)}'s round trip — at scale it takes the whole load the cache used to absorb.",
        [c, backing],
        tip="A cache hides how much load the database would get without it — until the cache fails.",
        fix="Put a circuit breaker on the cache client so a dead cache is skipped without a connection "
        "attempt, and rate-limit the fallback (or serve stale data) so the database is not overrun.",
        impact_ms=ix.duration(backing),
        focus=[c],
    )


def _family(ix: TraceIndex, i: int) -> str:
    """What a call does, without where it goes: ``GET /api/cart`` of ``GET /api/cart → 10.1.0.12:8080``."""
    return " ".join(calls.op_key(ix.spans[i].operation).split()[:2])


def _fallback(ix: TraceIndex, p: int, c: int, later: list[int]) -> Draft | None:
    if not ix.failed[c]:
        return None
    comp, role, name = ix.spans[c].component, ix.role(c), ix.name(c)
    op = _family(ix, c)
    alt = next(
        (
            x
            for x in later
            if not ix.failed[x]
            and ix.name(x) != name
            and (ix.spans[x].component == comp if comp is not None else ix.role(x) == role)
            and _family(ix, x) == op
        ),
        None,
    )
    if alt is None:
        return None
    return RULE.draft(
        "fallback",
        "warning",
        f"{name} failed, {ix.name(p)} fell back to {ix.name(alt)}",
        f"{ix.call(c)} failed ({ix.error_text(c)}); {ix.name(p)} tried {ix.call(alt)} instead, which "
        f"answered in {text.ms(ix.duration(alt))}. The fallback saved the request; the failed attempt "
        f"still cost {text.ms(ix.duration(c))}.",
        [c, alt],
        tip="A fallback that works hides its trigger: the only trace of the outage is the red span "
        "before it.",
        fix="Count fallbacks as a metric and alert on their rate; with a circuit breaker on the primary, the "
        "fallback is taken at once instead of after a failed attempt.",
        impact_ms=ix.duration(c),
        focus=[c],
    )


RULE = Rule(id="cache_fallback", title="Cache miss and fallback", topic="cache", check=_check)
