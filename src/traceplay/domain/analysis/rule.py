"""What a rule is and what it returns.

A rule is a small frozen record in the registry (``rules/__init__.py``): an id, a title for the docs,
the topic it talks about (so authored content on the same topic and spans replaces it), and a
``check`` function from a ``TraceIndex`` to drafts. A ``Draft`` is a finding with its working data:
span positions instead of ids, the time it costs (``impact_ms``, to order findings) and the spans it is
*about* (``focus``, for de-duplication against authored findings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from traceplay.domain.analysis.index import TraceIndex
from traceplay.domain.analysis.model import Source
from traceplay.domain.flow import Severity

MAX_SPAN_IDS = 1000  # a finding about 100,000 spans lists the first thousand


@dataclass
class Draft:
    key: str  # the finding id before de-duplication of ids: "retries" -> "retries", "retries-2"
    rule: str
    severity: Severity
    title: str
    detail: str
    spans: list[int]
    tip: str | None = None
    fix: str | None = None
    impact_ms: float = 0.0
    focus: list[int] = field(default_factory=list)
    topics: frozenset[str] = frozenset()
    nodes: list[str] = field(default_factory=list)  # node ids beyond those of the spans (authored)
    source: Source = "rule"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    topic: str
    check: Callable[[TraceIndex], list[Draft]]

    def draft(
        self,
        key: str,
        severity: Severity,
        title: str,
        detail: str,
        spans: list[int],
        *,
        tip: str | None = None,
        fix: str | None = None,
        impact_ms: float = 0.0,
        focus: list[int] | None = None,
    ) -> Draft:
        return Draft(
            key=key,
            rule=self.id,
            severity=severity,
            title=title,
            detail=detail,
            spans=spans,
            tip=tip,
            fix=fix,
            impact_ms=impact_ms,
            focus=list(focus) if focus is not None else [],
            topics=frozenset({self.topic}),
        )
