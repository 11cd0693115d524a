"""Calls a span makes, grouped: the shared ground of the retries, repeated-calls, parallel and fallback
rules.

Two calls are "similar" when they go to the same service with the same operation once literals are
masked (``SELECT * FROM items WHERE id = 42`` and ``... id = 43`` are the same query, and so are
``process order`` and ``process order (redelivered)``); calls to a language model are similar
whatever their prompt. A call is a *retry* of the one before it when the tracer says so
(``traceplay.attempt`` > 1, ``http.request.resend_count`` > 0, a queue's receive count > 1 or
``messaging.redelivered``) or, without such an attribute, when it repeats the very same operation
right after that operation failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from traceplay.domain.analysis.index import EPS, TraceIndex

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")
_NUMBER = re.compile(r"(?<![A-Za-z_$])\d+(?:\.\d+)?")
_IN_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_AGAIN = re.compile(r"\s+\((?:[^)]*\b)?(?:redeliver\w*|retr\w*|attempt\w*)\b[^)]*\)", re.IGNORECASE)

Key = tuple[str, str]
# attributes that count attempts, and the value they give the first one
ATTEMPT_KEYS: tuple[tuple[str, int], ...] = (
    ("traceplay.attempt", 1),
    ("http.request.resend_count", 0),
    ("messaging.sqs.approximate_receive_count", 1),
    ("messaging.delivery_count", 1),
)


@lru_cache(maxsize=8192)
def op_key(operation: str) -> str:
    """An operation with its literals masked: ids, numbers, quoted strings and uuids become ``?``."""
    out = _AGAIN.sub("", operation)  # "process order (redelivered)" is the same call again
    out = _QUOTED.sub("?", out)
    out = _UUID.sub("?", out)
    out = _HEX.sub("?", out)
    out = _NUMBER.sub("?", out)
    out = _IN_LIST.sub("(?)", out)
    return " ".join(out.split())


def call_key(ix: TraceIndex, i: int) -> Key:
    key = ix.keys.get(i)
    if key is None:
        s = ix.spans[i]
        key = ix.keys[i] = (s.service, "<llm>") if ix.is_llm(i) else (s.service, op_key(s.operation))
    return key


def attempt_number(ix: TraceIndex, i: int) -> int | None:
    """The attempt a tracer recorded on the span (1 = the first try), if it recorded one: traceplay's
    own, HTTP's resend count, a queue's receive count or redelivery flag."""
    attrs = ix.spans[i].attributes
    for key, first in ATTEMPT_KEYS:
        value = attrs.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value + (1 - first)
    if attrs.get("messaging.redelivered") is True or attrs.get("messaging.rabbitmq.redelivered") is True:
        return 2
    return None


@dataclass(frozen=True)
class Group:
    """Similar calls of one parent (all sync, or all async), by start time, split into runs of attempts."""

    parent: int
    key: Key
    asynch: bool  # async deliveries (a message redelivered after a failure is an async retry)
    calls: list[int]
    runs: list[list[int]]  # each run: a first attempt and its retries

    @property
    def firsts(self) -> list[int]:
        """One call per run: what the caller meant to do, without the retries."""
        return [run[0] for run in self.runs]


def groups(ix: TraceIndex) -> list[Group]:
    """Every group of two or more similar calls under one parent."""
    return ix.memo("call-groups", _groups)


def sync_groups(ix: TraceIndex) -> list[Group]:
    return [g for g in groups(ix) if not g.asynch]


def retries(ix: TraceIndex) -> set[int]:
    """Spans that are a second or later attempt of a call."""
    return ix.memo("retry-spans", lambda ix: {c for g in groups(ix) for run in g.runs for c in run[1:]})


def superseded(ix: TraceIndex) -> set[int]:
    """Attempts that a later attempt of the same call replaced (every attempt of a run but its last)."""
    return ix.memo("superseded", lambda ix: {c for g in groups(ix) for run in g.runs for c in run[:-1]})


def _groups(ix: TraceIndex) -> list[Group]:
    out: list[Group] = []
    for p in range(ix.n):
        kids = ix.children[p]
        if len(kids) < 2:
            continue
        by_key: dict[tuple[Key, bool], list[int]] = {}
        asynch, keys = ix.asynch, ix.keys
        for c in kids:
            key = keys.get(c) or call_key(ix, c)
            by_key.setdefault((key, asynch[c]), []).append(c)
        for (key, is_async), calls in by_key.items():
            if len(calls) > 1:  # a call made once has no retries and no repeats
                out.append(Group(p, key, is_async, calls, _runs(ix, calls)))
    return out


def _runs(ix: TraceIndex, calls: list[int]) -> list[list[int]]:
    runs: list[list[int]] = [[calls[0]]]
    spans, failed = ix.spans, ix.failed
    for c in calls[1:]:
        prev = runs[-1][-1]
        attempt = attempt_number(ix, c) if spans[c].attributes else None
        if attempt is not None:
            is_retry = attempt > 1
        elif failed[prev] or spans[prev].attributes.get("traceplay.orphaned") is True:
            # no word from the tracer: a retry repeats the very call that just failed
            is_retry = spans[c].operation == spans[prev].operation and ix.start[c] >= ix.start[prev] + EPS
        else:
            is_retry = False
        if is_retry:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def union_ms(ix: TraceIndex, idxs: list[int]) -> tuple[float, int]:
    """Total time covered by some spans (overlaps counted once) and how many separate stretches
    ("waves" of calls running together) they form."""
    if not idxs:
        return 0.0, 0
    spans = sorted((ix.start[i], ix.end[i]) for i in idxs)
    total, waves = 0.0, 0
    cur_s, cur_e = spans[0]
    for s, e in spans[1:]:
        if s < cur_e - EPS:
            cur_e = max(cur_e, e)
        else:
            total += cur_e - cur_s
            waves += 1
            cur_s, cur_e = s, e
    return total + (cur_e - cur_s), waves + 1
