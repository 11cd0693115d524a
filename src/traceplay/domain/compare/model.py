"""The Comparison contract: what ``compare`` returns and POST /api/compare answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from traceplay.domain.trace import SpanStatus

Change = Literal["slower", "faster", "same", "added", "removed"]
StatusChange = Literal["failing", "recovered"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TraceSide(_Model):
    """One side of a comparison, as a header shows it."""

    trace_id: str
    flow: str | None
    variant: str | None
    label: str = Field(description="how badges and the summary name this side")
    response_ms: float
    duration_ms: float
    status: SpanStatus
    spans: int


class SpanDelta(_Model):
    """One span matched across the two traces (or present on one side only)."""

    key: str = Field(description="node-or-service|operation|occurrence: stable across runs")
    node_id: str | None
    service: str
    operation: str
    occurrence: int = Field(description="0 for the first such call in start order, 1 for the next ...")
    base_span_id: str | None
    other_span_id: str | None
    base_ms: float | None
    other_ms: float | None
    delta_ms: float | None
    ratio: float | None = Field(description="other / base duration; None when either side is missing or 0")
    base_status: SpanStatus | None
    other_status: SpanStatus | None
    status_change: StatusChange | None
    change: Change
    critical_delta_ms: float = Field(description="change of its self time on the critical path")
    offset_delta_ms: float | None = Field(
        description="change of its start relative to its parent's start (a longer queue wait, a later step)"
    )


class NodeDelta(_Model):
    """The time of one node (or service) summed over its spans, on each side: what colours the canvas."""

    key: str
    node_id: str | None
    service: str
    base_ms: float
    other_ms: float
    delta_ms: float
    ratio: float | None
    base_self_ms: float
    other_self_ms: float
    self_delta_ms: float
    base_spans: int
    other_spans: int
    base_errors: int
    other_errors: int
    change: Change
    heat: float = Field(description="self-time change scaled to the largest one: -1 faster … +1 slower")


class Contributor(_Model):
    """An operation whose time on the critical path changed, and its share of the response change."""

    node_id: str | None
    service: str
    operation: str
    calls: int
    delta_ms: float
    share: float = Field(
        description="of the response-time change; may exceed 1 when others went the other way"
    )
    added: bool = False
    removed: bool = False


class Comparison(_Model):
    base: TraceSide
    other: TraceSide
    match_by: Literal["node", "service"]
    response_delta_ms: float
    duration_delta_ms: float
    response_ratio: float | None
    status_change: StatusChange | None
    summary: str
    where: list[Contributor] = Field(description="what moved the response time, largest first (at most 5)")
    spans: list[SpanDelta] = Field(description="in the tree order of `other`, then the removed spans")
    added: list[str] = Field(description="span ids of `other` with no match in `base`")
    removed: list[str] = Field(description="span ids of `base` with no match in `other`")
    nodes: list[NodeDelta]
    badges: dict[str, str] = Field(description="span id of `other` -> its baseline badge")
