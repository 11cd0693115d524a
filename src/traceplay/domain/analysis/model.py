"""The Analysis contract (notes/contracts.md): what ``analyze`` returns and POST /api/analyze answers.

Plain pydantic models, exactly the JSON fields of the contract; the working data of the rules (impact,
focus spans, topics) lives in ``rule.Draft`` and never reaches the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from traceplay.domain.flow import Severity

Source = Literal["rule", "scenario"]

SEVERITY_RANK: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


def worst(severities: Iterable[Severity]) -> Severity:
    """The most serious of some severities; ``info`` when there are none."""
    out: Severity = "info"
    for s in severities:
        if SEVERITY_RANK[s] < SEVERITY_RANK[out]:
            out = s
    return out


class Finding(BaseModel):
    """One observation about a trace, pointing at the spans (and flow nodes) it is about."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="unique within one analysis, stable: the rule's id, then -2, -3 ...")
    rule: str = Field(description="the rule that found it, or 'scenario' for authored content")
    severity: Severity
    title: str
    detail: str
    span_ids: list[str] = Field(default_factory=list)
    node_ids: list[str] = Field(default_factory=list)
    tip: str | None = None
    fix: str | None = None
    source: Source = "rule"


class Analysis(BaseModel):
    """What happened in one trace: its critical path, where an error started, and the findings."""

    model_config = ConfigDict(extra="forbid")

    trace_id: str
    flow: str | None = None
    variant: str | None = None
    severity: Severity = Field(description="the worst of the findings")
    headline: str = Field(description="one sentence: what happened")
    response_ms: float
    duration_ms: float
    status: Literal["ok", "error"]
    critical_path: list[str] = Field(
        description="span ids of the chain deciding the response time, root first"
    )
    bottleneck: str | None = Field(description="span id with the largest self time on the critical path")
    error_origin: str | None = Field(description="span id where the error started (the deepest failing span)")
    findings: list[Finding] = Field(description="by severity (critical, warning, info), then impact")
    tips: list[str] = Field(default_factory=list, description="the scenario variant's authored tips")
    fixes: list[str] = Field(default_factory=list, description="the scenario variant's authored fixes")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
